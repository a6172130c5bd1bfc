"""Logging in with a one-time link: a session cookie, used once, expiring, logout."""

from __future__ import annotations

from datetime import timedelta

import httpx

from bot.app.services import Services
from bot.console.auth import SESSION_LIFETIME, login_url
from surveys.roles import Role
from tests.bot.console.conftest import ADMIN_ID, BASE_URL, add_staff, log_in, open_link
from tests.builders import Clock, make_wave


async def test_a_link_opens_a_session_with_a_strict_httponly_cookie(
    client: httpx.AsyncClient, services: Services
) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    login = await open_link(client, login_url(services, ADMIN_ID, BASE_URL))
    done = await client.post("/login", data={"token": login.token, "csrf_token": login.check})
    cookie = done.headers["set-cookie"]
    assert "machikoe_console=" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    home = await client.get("/")
    assert home.status_code == 200
    assert f"ID {ADMIN_ID}（管理者）" in home.text


async def test_behind_https_the_cookie_is_secure(services: Services, app: object) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://console.test") as client:
        login = await open_link(client, login_url(services, ADMIN_ID, BASE_URL))
        done = await client.post("/login", data={"token": login.token, "csrf_token": login.check})
    assert "Secure" in done.headers["set-cookie"]


async def test_a_link_works_once(client: httpx.AsyncClient, services: Services) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    link = login_url(services, ADMIN_ID, BASE_URL)
    login = await open_link(client, link)
    first = await client.post("/login", data={"token": login.token, "csrf_token": login.check})
    assert first.status_code == 303
    client.cookies.clear()
    again = await client.get(link.removeprefix(BASE_URL))
    assert again.status_code == 400
    assert "すでに使われています" in again.text
    second = await client.post("/login", data={"token": login.token, "csrf_token": login.check})
    assert second.status_code == 400
    assert "machikoe_console=" not in second.headers.get("set-cookie", "")


async def test_a_link_older_than_ten_minutes_is_refused(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    link = login_url(services, ADMIN_ID, BASE_URL)
    clock.advance(timedelta(minutes=10, seconds=2))
    page = await client.get(link.removeprefix(BASE_URL))
    assert page.status_code == 400
    assert "有効期限" in page.text


async def test_a_link_for_someone_not_staff_opens_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    await add_staff(services, 4242, Role.ANALYST)
    login = await open_link(client, login_url(services, 4242, BASE_URL))
    async with services.uow() as uow:  # the role is taken away before the button is pressed
        await uow.staff.remove(4242)
        await uow.commit()
    done = await client.post("/login", data={"token": login.token, "csrf_token": login.check})
    assert done.status_code == 400
    assert "登録されていません" in done.text
    assert (await client.get("/")).status_code == 303
    page = await client.get(login_url(services, 4242, BASE_URL).removeprefix(BASE_URL))
    assert page.status_code == 400 and "登録されていません" in page.text


async def test_a_forged_link_is_refused(client: httpx.AsyncClient, services: Services) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    link = login_url(services, ADMIN_ID, BASE_URL)
    forged = await client.get(link.removeprefix(BASE_URL)[:-3] + "abc")
    assert forged.status_code == 400
    assert "正しくありません" in forged.text


async def test_a_login_form_not_from_our_page_is_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    login = await open_link(client, login_url(services, ADMIN_ID, BASE_URL))
    client.cookies.clear()  # a cross-site form carries no login-check cookie
    done = await client.post("/login", data={"token": login.token, "csrf_token": login.check})
    assert done.status_code == 400
    assert (await client.get("/")).status_code == 303


async def test_logout_ends_the_session_even_for_a_kept_cookie(
    client: httpx.AsyncClient, services: Services
) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    csrf = await log_in(client, services, ADMIN_ID)
    kept = dict(client.cookies)
    out = await client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"].startswith("/login-help")
    client.cookies.update(kept)
    assert (await client.get("/")).status_code == 303


async def test_a_session_expires(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    await log_in(client, services, ADMIN_ID)
    clock.advance(SESSION_LIFETIME - timedelta(minutes=1))
    assert (await client.get("/")).status_code == 200
    clock.advance(timedelta(minutes=2))
    gone = await client.get("/")
    assert gone.status_code == 303 and gone.headers["location"] == "/login-help"


async def test_removing_a_staff_member_ends_their_access(
    client: httpx.AsyncClient, services: Services
) -> None:
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    await log_in(client, services, ADMIN_ID)
    async with services.uow() as uow:
        await uow.staff.remove(ADMIN_ID)
        await uow.commit()
    assert (await client.get("/")).status_code == 303


async def test_without_a_session_home_leads_to_the_login_help_and_no_data(
    client: httpx.AsyncClient, services: Services
) -> None:
    await make_wave(services.uow, name="第3回 市民意識調査")
    home = await client.get("/", follow_redirects=True)
    assert str(home.url).endswith("/login-help")
    assert "/console" in home.text
    assert "第3回 市民意識調査" not in home.text
    assert 'action="/logout"' not in home.text and "メインメニュー" not in home.text
