"""The demo's way in: /demo-login opens a session as the demo admin (demo app only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.console.auth import SESSION_COOKIE, SESSION_LIFETIME, login_token, redeem
from bot.console.web import services_of

DEMO_ADMIN_ID = 1
"""The demo admin's user id (the demo's own database only)."""


async def demo_login(request: Request) -> Response:
    """Log the browser in as the demo admin, through a one-time token like any login."""
    services = services_of(request)
    cookie = await redeem(services, login_token(services, DEMO_ADMIN_ID))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",  # reached from the demo's terminal link, a top-level navigation
    )
    return response


routes = [Route("/demo-login", demo_login, methods=["GET"])]
