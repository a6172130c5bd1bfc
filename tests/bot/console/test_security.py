"""The security matrix over every route of the app: no session, wrong role, no CSRF token."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from bot.app.services import Services
from bot.console.pages.login import PUBLIC
from surveys.roles import Role
from tests.builders import make_wave


def _guarded(app: Starlette) -> list[tuple[str, str, tuple[Role, ...]]]:
    """(method, path with ids filled in, roles) of every route but login and static files."""
    found = []
    for route in app.routes:
        if isinstance(route, Mount) or (isinstance(route, Route) and route.endpoint in PUBLIC):
            continue
        assert isinstance(route, Route)
        roles = getattr(route.endpoint, "roles", None)
        assert roles, f"{route.path} is not wrapped by page() or api()"
        path = re.sub(r"\{[^}]+\}", "1", route.path).replace("/1/1", "/1/open")
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, path, roles))
    return found


def _refused_without_session(response: httpx.Response) -> bool:
    """Sent to the login help page (HTML) or 401 (JSON)."""
    if response.status_code == 401:
        return True
    return response.status_code == 303 and response.headers["location"] == "/login-help"


async def test_every_route_without_a_session_leads_to_the_login_help(
    client: httpx.AsyncClient, app: Starlette, services: Services
) -> None:
    await make_wave(services.uow, name="非公開の回", status="draft")
    routes = _guarded(app)
    assert {path for _, path, _ in routes} >= {"/", "/waves", "/staff"}
    for method, path, _ in routes:
        response = await client.request(method, path, data={"csrf_token": "x"})
        assert _refused_without_session(response), (method, path, response.status_code)
        assert "非公開の回" not in response.text
    followed = await client.get("/waves", follow_redirects=True)
    assert "/console" in followed.text and "非公開の回" not in followed.text


async def test_an_analyst_is_refused_on_every_admin_route(
    client: httpx.AsyncClient, app: Starlette, services: Services, analyst: str
) -> None:
    wave = await make_wave(services.uow, name="受付中", status="open")
    admin_only = [(m, p) for m, p, roles in _guarded(app) if Role.ANALYST not in roles]
    assert ("GET", "/staff") in admin_only and ("POST", "/waves/1/open") in admin_only
    for method, path in admin_only:
        response = await client.request(method, path, data={"csrf_token": analyst})
        assert response.status_code == 403, (method, path)
    async with services.uow() as uow:
        assert (await uow.waves.get(wave.id)).status == "open"  # type: ignore[union-attr]


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
async def test_every_change_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, app: Starlette, services: Services, admin: str, token: str | None
) -> None:
    await make_wave(services.uow, name="下書き", status="draft")
    changes = [(m, p) for m, p, _ in _guarded(app) if m not in {"GET", "HEAD"}]
    assert ("POST", "/waves") in changes and ("POST", "/logout") in changes
    data = {"name": "偽物", "survey_id": "residency-livability", "user_id": "5", "role": "admin"}
    if token is not None:
        data["csrf_token"] = token
    for method, path in changes:
        response = await client.request(method, path, data=data)
        assert response.status_code == 403, (method, path)
    async with services.uow() as uow:
        assert [w.name for w in await uow.waves.list()] == ["下書き"]
        assert await uow.staff.role_of(5) is None
    assert (await client.get("/")).status_code == 200  # logout was refused too
