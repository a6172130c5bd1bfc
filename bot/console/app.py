"""The console's Starlette app: the pages in PAGES, static files, security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.app.services import Services
from bot.config import Settings
from bot.console.core import open_services
from bot.console.pages import comments, home, indicators, login, staff, themes, waves
from bot.console.pages import demo as demo_login
from bot.console.web import NavItem

PAGES: tuple[ModuleType, ...] = (login, home, waves, comments, themes, indicators, staff)
"""The console's pages in navigation order: each has ``routes`` and, when listed, ``nav``."""
DEMO_PAGES: tuple[ModuleType, ...] = (demo_login,)
"""Only in the demo's app: logs in as the demo admin."""
STATIC = Path(__file__).parent / "static"
HEADERS = {
    # everything comes from the console itself: no CDN, no font service (LGWAN)
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # login links carry their token in the URL
    "Cache-Control": "no-store",
}


class SecurityHeaders(BaseHTTPMiddleware):
    """The same protective headers on every response."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _pages(*, demo: bool) -> tuple[list[BaseRoute], list[NavItem]]:
    """Routes and navigation of every page module (and the demo's login in the demo)."""
    routes: list[BaseRoute] = []
    nav: list[NavItem] = []
    for module in (*PAGES, *DEMO_PAGES) if demo else PAGES:
        routes += module.routes
        if getattr(module, "nav", None) is not None:
            nav.append(module.nav)
    return routes, nav


def create_app(
    services: Services | None = None,
    *,
    settings: Settings | None = None,
    base_url: str = "http://127.0.0.1:8081",
    demo: bool = False,
) -> Starlette:
    """The console on given services (tests, demo) or on services opened from `settings`."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if services is not None:
            yield
            return
        app.state.services = await open_services(settings or Settings.from_env())
        try:
            yield
        finally:
            await app.state.services.close()

    routes, nav = _pages(demo=demo)
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    app.state.services = services
    app.state.nav = nav
    app.state.base_url = base_url
    app.state.demo = demo
    return app
