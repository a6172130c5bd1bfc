"""The local Bot API server with the demo's chat page and its extra routes (staff, LINE)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import tornado.web

from bot.demo.botapi import LocalBotApiServer

log = logging.getLogger(__name__)

StaffHook = Callable[[int], Awaitable[None]]


def static_dir() -> Path:
    """The folder of the chat page (index.html, chat.js, chat.css)."""
    return Path(str(files("bot.demo") / "static"))


class DemoServer(LocalBotApiServer):
    """Serves the chat page at `/` and `POST /_demo/staff {user_id}` to make a tab staff."""

    def __init__(self, on_staff: StaffHook | None = None, **options: Any) -> None:
        options.setdefault("static_dir", static_dir())
        super().__init__(**options)
        self.on_staff = on_staff
        self.line_port: int | None = None  # the LINE platform stand-in's, when LINE runs

    def _application(self) -> tornado.web.Application:
        application = super()._application()
        application.add_handlers(
            r".*",
            [
                (r"/_demo/staff", StaffHandler, {"server": self}),
                (r"/_demo/line", LineHandler, {"server": self}),
            ],
        )
        return application


class LineHandler(tornado.web.RequestHandler):
    """GET `/_demo/line`: where the page's LINE tab finds the LINE platform stand-in."""

    def initialize(self, server: DemoServer) -> None:
        self.server = server

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        if self.server.line_port is None:
            self.set_status(404)
            self.finish(json.dumps({"ok": False, "description": "no LINE in this demo"}))
            return
        self.finish(json.dumps({"ok": True, "port": self.server.line_port}))


class StaffHandler(tornado.web.RequestHandler):
    """POST `/_demo/staff` {user_id}: register a page's user as staff (admin)."""

    def initialize(self, server: DemoServer) -> None:
        self.server = server

    def check_xsrf_cookie(self) -> None:
        """Loopback demo API, like the client API."""

    async def post(self) -> None:
        try:
            user_id = int(json.loads(self.request.body or b"{}")["user_id"])
        except (ValueError, KeyError, TypeError):
            self._answer(400, {"ok": False, "description": "user_id is required"})
            return
        if user_id not in self.server.residents:
            self._answer(404, {"ok": False, "description": "unknown user"})
            return
        if self.server.on_staff is None:
            self._answer(501, {"ok": False, "description": "no staff in this demo"})
            return
        await self.server.on_staff(user_id)
        log.info("demo: a page became staff")
        self._answer(200, {"ok": True})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))
