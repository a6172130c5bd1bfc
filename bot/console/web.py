"""What every console page shares: the role and CSRF guard, rendering, the navigation."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from analysis.report.text import CHANNELS_NOTE
from bot.app.console_links import LinkProblem
from bot.app.services import Services
from bot.console.auth import SESSION_COOKIE, viewer_for
from bot.console.core import Viewer
from surveys.modes import AudienceChannel, ResponseMode
from surveys.roles import Role
from surveys.waves import WaveStatus

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_HELP = "/login-help"

Endpoint = Callable[[Request, Viewer], Awaitable[Response]]
Guarded = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class NavItem:
    """One entry of the top navigation: label, path, who sees it."""

    label: str
    path: str
    roles: tuple[Role, ...]


def services_of(request: Request) -> Services:
    """The application's services, set on the app at start-up."""
    return request.app.state.services  # type: ignore[no-any-return]


async def _csrf_ok(request: Request, viewer: Viewer) -> bool:
    """The form field (or header, for scripts) carries the session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, viewer.csrf_token)


def _guard(roles: tuple[Role, ...], *, json: bool) -> Callable[[Endpoint], Guarded]:
    """Wrap an endpoint: a session, one of `roles`, and a CSRF token on every change."""

    def decorate(endpoint: Endpoint) -> Guarded:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            viewer = await viewer_for(
                services_of(request),
                request.cookies.get(SESSION_COOKIE),
                demo=request.app.state.demo,
            )
            if viewer is None:
                if json:
                    return JSONResponse({"error": "login required"}, status_code=401)
                return RedirectResponse(LOGIN_HELP, status_code=303)
            if viewer.role not in roles:
                if json:
                    return JSONResponse({"error": "not allowed for your role"}, status_code=403)
                return render(request, viewer, "refused.html", status_code=403)
            if request.method not in SAFE_METHODS and not await _csrf_ok(request, viewer):
                if json:
                    return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
                return render(request, viewer, "refused.html", status_code=403, csrf=True)
            return await endpoint(request, viewer)

        guarded.roles = roles  # type: ignore[attr-defined]  # tests check every route has one
        return guarded

    return decorate


def page(*roles: Role) -> Callable[[Endpoint], Guarded]:
    """An HTML page for these roles: no session → the login help page, wrong role → 403."""
    return _guard(roles, json=False)


def api(*roles: Role) -> Callable[[Endpoint], Guarded]:
    """A JSON endpoint for these roles: no session → 401, wrong role or no CSRF → 403."""
    return _guard(roles, json=True)


def render(
    request: Request,
    viewer: Viewer | None,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A template inside the layout, with the viewer, the navigation and the CSRF token."""
    nav = [item for item in request.app.state.nav if viewer and viewer.role in item.roles]
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "nav": nav,
            "csrf_field": CSRF_FIELD,
            "csrf_token": viewer.csrf_token if viewer else "",
            **context,
        },
        status_code=status_code,
    )


def back_to(path: str, message: str | None = None, *, error: bool = False) -> RedirectResponse:
    """Redirect after a form (POST → redirect → GET), with a short notice for the next page."""
    if message is None:
        return RedirectResponse(path, status_code=303)
    from urllib.parse import urlencode

    key = "error" if error else "notice"
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}{urlencode({key: message})}", status_code=303)


STATUS_LABELS = {
    WaveStatus.DRAFT: "下書き",
    WaveStatus.SCHEDULED: "開始予約済み",
    WaveStatus.OPEN: "回答受付中",
    WaveStatus.CLOSED: "終了",
}
ROLE_LABELS = {Role.ADMIN: "管理者", Role.ANALYST: "分析担当"}
CHANNEL_LABELS = {
    AudienceChannel.TELEGRAM: "Telegram",
    AudienceChannel.LINE: "LINE",
    AudienceChannel.BOTH: "TelegramとLINEの両方",
}
"""A wave's audience channel (surveys.modes.AudienceChannel)."""
MODE_LABELS = {
    ResponseMode.CHAT: "Telegram",
    ResponseMode.LINE: "LINE",
    ResponseMode.MAIL: "郵送",
    ResponseMode.WEB: "ウェブ",
}
"""A response's mode (surveys.modes.ResponseMode) as the console's channel columns name it."""


def when(value: Any, zone: Any) -> str:
    """A time as staff read it, in their time zone (or a dash)."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "—"


def day_time(value: Any, zone: Any) -> str:
    """A moment as 6月3日 09:00 in the staff's time zone."""
    return value.astimezone(zone).strftime("%-m月%-d日 %H:%M") if value else "—"


def percent(value: float | None) -> str:
    """A share as a whole percentage (or a dash when there is nothing to divide)."""
    return "—" if value is None else f"{value:.0%}"


TEMPLATES.env.filters.update(
    when=when,
    day_time=day_time,
    percent=percent,
    status=lambda s: STATUS_LABELS.get(str(s), str(s)),
    role=lambda r: ROLE_LABELS.get(str(r), str(r)),
    channel=lambda c: CHANNEL_LABELS.get(str(c), str(c)),
    mode=lambda m: MODE_LABELS.get(str(m), str(m)),
)
# the report's method note, wherever the console shows figures by channel
TEMPLATES.env.globals["channels_note"] = CHANNELS_NOTE
# the vocabulary templates compare with, so a page never spells a stored value itself
TEMPLATES.env.globals.update(Role=Role, WaveStatus=WaveStatus, LinkProblem=LinkProblem)
