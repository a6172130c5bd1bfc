"""Home: open and scheduled waves with their live counts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console.boards import live_boards
from bot.console.core import STAFF, Viewer
from bot.console.web import NavItem, page, render, services_of


@page(*STAFF)
async def home(request: Request, viewer: Viewer) -> Response:
    """The live counts of every open and scheduled wave."""
    services = services_of(request)
    return render(
        request, viewer, "home.html", boards=await live_boards(services), zone=services.timezone
    )


routes = [Route("/", home, methods=["GET"])]
nav = NavItem("ホーム", "/", STAFF)
