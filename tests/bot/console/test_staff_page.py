"""The Staff page: admins manage roles and read the audit log; analysts are refused."""

from __future__ import annotations

import httpx

from bot.app.services import Services
from surveys.roles import Role
from tests.bot.console.conftest import ADMIN_ID, add_staff, log_in


async def test_an_admin_grants_changes_and_removes_roles_and_reads_it_in_the_log(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    await client.post("/staff", data={"csrf_token": admin, "user_id": "555", "role": "analyst"})
    await client.post("/staff", data={"csrf_token": admin, "user_id": "555", "role": "admin"})
    async with services.uow() as uow:
        assert await uow.staff.role_of(555) == "admin"
    await client.post("/staff/555/remove", data={"csrf_token": admin})
    async with services.uow() as uow:
        assert await uow.staff.role_of(555) is None
    page = await client.get("/staff")
    rows = [line for line in page.text.splitlines() if "<td>staff." in line]
    assert len(rows) == 3
    assert "staff.remove" in rows[0] and "<td>admin</td><td>—</td>" in rows[0]
    assert "staff.role" in rows[2] and "<td>—</td><td>analyst</td>" in rows[2]
    assert f"<td>{ADMIN_ID}</td>" in rows[0]


async def test_a_removed_staff_member_is_logged_out_at_once(
    client: httpx.AsyncClient, services: Services, app: object, admin: str
) -> None:
    await add_staff(services, 777, Role.ANALYST)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as other:
        await log_in(other, services, 777)
        await client.post("/staff/777/remove", data={"csrf_token": admin})
        assert (await other.get("/")).status_code == 303


async def test_an_admin_cannot_remove_themself(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    page = await client.post(
        f"/staff/{ADMIN_ID}/remove", data={"csrf_token": admin}, follow_redirects=True
    )
    assert "自分自身は外せません" in page.text
    async with services.uow() as uow:
        assert await uow.staff.role_of(ADMIN_ID) == "admin"


async def test_an_analyst_neither_sees_nor_changes_staff(
    client: httpx.AsyncClient, services: Services, analyst: str
) -> None:
    assert (await client.get("/staff")).status_code == 403
    home = await client.get("/")
    assert 'href="/staff"' not in home.text
    refused = await client.post(
        "/staff", data={"csrf_token": analyst, "user_id": "9", "role": "admin"}
    )
    assert refused.status_code == 403
    async with services.uow() as uow:
        assert await uow.staff.role_of(9) is None
