"""Logging in and out: the help page, the one-time link's confirmation, logout."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.console.auth import (
    LINK_LIFETIME,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    LinkProblem,
    LoginRefused,
    check_link,
    end_session,
    redeem,
)
from bot.console.core import STAFF, Viewer
from bot.console.web import CSRF_FIELD, LOGIN_HELP, page, render, services_of


def _secure(request: Request) -> bool:
    """Cookies are Secure when the console is reached over HTTPS (directly or via a proxy)."""
    return request.url.scheme == "https" or str(request.app.state.base_url).startswith("https")


async def login_help(request: Request) -> Response:
    """How to get a login link; shows no data."""
    return render(request, None, "login_help.html", bye="bye" in request.query_params)


def _refused(request: Request, problem: LinkProblem) -> Response:
    """A link that opens nothing, and what to do instead."""
    return render(request, None, "login_help.html", problem=problem.value, status_code=400)


async def login_page(request: Request) -> Response:
    """A valid link asks for one click (link previews fetch pages but never press buttons)."""
    token = request.query_params.get("token", "")
    try:
        await check_link(services_of(request), token)
    except LoginRefused as refused:
        return _refused(request, refused.problem)
    check = secrets.token_urlsafe(16)
    response = render(request, None, "login.html", token=token, login_check=check)
    response.set_cookie(
        LOGIN_COOKIE,
        check,
        max_age=int(LINK_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/login",
    )
    return response


async def login(request: Request) -> Response:
    """Use the link once and open a session (the form must come from our own login page)."""
    form = await request.form()
    token, check = str(form.get("token", "")), str(form.get(CSRF_FIELD, ""))
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not check or not expected or not hmac.compare_digest(check, expected):
        return _refused(request, LinkProblem.INVALID)
    try:
        cookie = await redeem(services_of(request), token)
    except LoginRefused as refused:
        return _refused(request, refused.problem)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@page(*STAFF)
async def logout(request: Request, viewer: Viewer) -> Response:
    """End the session here and in the database."""
    await end_session(services_of(request), viewer)
    response = RedirectResponse(f"{LOGIN_HELP}?bye=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


routes = [
    Route(LOGIN_HELP, login_help, methods=["GET"]),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
PUBLIC = {login_help, login_page, login}
