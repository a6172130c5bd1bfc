"""The demo page's view of LINE: a resident's talk screen, taps and text sent as webhooks."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.demo.line_platform.platform import LinePlatform, LineUser

MAX_TEXT = 5000  # characters LINE lets a user type


def _cors(response: Response) -> Response:
    """The page is served from the demo's other port."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    return response


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return _cors(JSONResponse(body, status_code=status))


class DemoLinePlatform(LinePlatform):
    """The stand-in plus `/_client/line/…` for the demo page (loopback, like the Bot API's)."""

    def extra_routes(self) -> list[Route]:
        """The page's client API."""
        methods = ["GET", "POST", "OPTIONS"]
        return [
            Route("/_client/line/users", self._users, methods=methods),
            Route("/_client/line/users/{user_id}/{action}", self._chat, methods=methods),
            Route("/_client/line/richmenu.png", self._menu_image, methods=["GET"]),
        ]

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        return body if isinstance(body, dict) else {}

    async def _users(self, request: Request) -> Response:
        """POST {user_id?}: the page's LINE user (a new one unless it names a known one)."""
        if request.method == "OPTIONS":
            return _cors(Response(status_code=204))
        if request.method != "POST":
            return _json({"ok": False, "description": "POST only"}, 405)
        wanted = (await self._body(request)).get("user_id")
        known = isinstance(wanted, str) and wanted in self.users
        user = self.user(wanted if known else None)
        return _json({"ok": True, "user": {"id": user.user_id, "name": user.display_name}})

    async def _chat(self, request: Request) -> Response:
        """GET chat?after=N (long poll), POST follow / say {text} / postback {data, shown}."""
        if request.method == "OPTIONS":
            return _cors(Response(status_code=204))
        user = self.users.get(request.path_params["user_id"])
        if user is None:
            return _json({"ok": False, "description": "unknown user"}, 404)
        action = request.path_params["action"]
        if request.method == "GET" and action == "chat":
            return await self._screen(request, user)
        if request.method != "POST":
            return _json({"ok": False, "description": "unknown action"}, 405)
        body = await self._body(request)
        if action == "follow":
            status = await user.follow()
        elif action == "say":
            text = str(body.get("text", "")).strip()[:MAX_TEXT]
            if not text:
                return _json({"ok": False, "description": "text is empty"}, 400)
            status = await user.say(text)
        elif action == "postback":
            data, shown = body.get("data"), body.get("shown")
            if not isinstance(data, str) or not data:
                return _json({"ok": False, "description": "data is required"}, 400)
            status = await user.postback(data, shown if isinstance(shown, str) else None)
        else:
            return _json({"ok": False, "description": "unknown action"}, 404)
        return _json({"ok": status == 200, "description": f"the bot answered {status}"})

    async def _screen(self, request: Request, user: LineUser) -> Response:
        """The talk screen once it has more than `after` lines (or after `timeout`)."""
        try:
            after = int(request.query_params.get("after", "-1"))
            timeout = min(float(request.query_params.get("timeout", "25")), 60.0)
        except ValueError:
            return _json({"ok": False, "description": "after and timeout are numbers"}, 400)
        if after >= 0:
            await user.wait_changed(after, timeout)
        return _json(
            {"ok": True, "version": len(user.chat), "chat": user.chat, "menu": self._menu()}
        )

    def _menu(self) -> dict[str, Any] | None:
        """The default rich menu as the phone shows it (none until it has its image)."""
        menu = self.rich_menus.default
        if menu is None or menu.image is None:
            return None
        return {
            "id": menu.menu_id,
            "size": menu.menu["size"],
            "chatBarText": menu.menu["chatBarText"],
            "selected": menu.menu["selected"],
            "areas": menu.menu["areas"],
            "image": f"/_client/line/richmenu.png?id={menu.menu_id}",
        }

    async def _menu_image(self, request: Request) -> Response:
        menu = self.rich_menus.default
        if menu is None or menu.image is None:
            return _cors(Response(status_code=404))
        return _cors(Response(menu.image, media_type=menu.content_type))
