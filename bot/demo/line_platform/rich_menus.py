"""The stand-in's rich menus: create, list, delete, image upload (api-data's path), default."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.demo.line_platform.limits import image_problems, rich_menu_problems

Authorised = Callable[[Request], bool]


@dataclass
class StoredMenu:
    """A rich menu the bot made, and its image once uploaded."""

    menu_id: str
    menu: dict[str, Any]
    image: bytes | None = None
    content_type: str = ""

    def to_json(self) -> dict[str, Any]:
        """The rich menu response object."""
        return {"richMenuId": self.menu_id, **self.menu}


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


class RichMenus:
    """Rich menus of the channel; a broken limit is a violation (and LINE's 400)."""

    def __init__(self, violations: list[str], authorised: Authorised) -> None:
        self.violations = violations
        self.authorised = authorised
        self.menus: dict[str, StoredMenu] = {}
        self.default_id: str | None = None
        self.created = 0
        self.fails = False  # every rich menu call answers 500 (a LINE outage)

    @property
    def default(self) -> StoredMenu | None:
        """The menu every user sees (none until one with an image is set)."""
        return self.menus.get(self.default_id or "")

    def routes(self) -> list[Route]:
        """The Messaging API's rich menu endpoints (both hosts' paths on one server)."""
        return [
            Route("/v2/bot/richmenu", self._create, methods=["POST"]),
            Route("/v2/bot/richmenu/list", self._list, methods=["GET"]),
            Route("/v2/bot/richmenu/{menu_id}", self._delete, methods=["DELETE"]),
            Route("/v2/bot/richmenu/{menu_id}/content", self._upload, methods=["POST"]),
            Route("/v2/bot/user/all/richmenu/{menu_id}", self._set_default, methods=["POST"]),
            Route("/v2/bot/user/all/richmenu", self._get_default, methods=["GET"]),
        ]

    def _problems(self, what: str, problems: list[str]) -> JSONResponse | None:
        """LINE's 400 for a request that breaks the limits (recorded as a violation)."""
        if not problems:
            return None
        self.violations.extend(f"{what}: {problem}" for problem in problems)
        return _refused(400, "; ".join(problems))

    async def _create(self, request: Request) -> Response:
        if not self.authorised(request):
            return _refused(401, "Authentication failed")
        body = await request.json()
        refused = self._problems("rich menu", rich_menu_problems(body))
        if refused is not None:
            return refused
        menu_id = "richmenu-" + secrets.token_hex(16)
        self.menus[menu_id] = StoredMenu(menu_id, body)
        self.created += 1
        return JSONResponse({"richMenuId": menu_id})

    async def _list(self, request: Request) -> Response:
        if not self.authorised(request):
            return _refused(401, "Authentication failed")
        if self.fails:
            return _refused(500, "Internal server error")
        return JSONResponse({"richmenus": [menu.to_json() for menu in self.menus.values()]})

    async def _delete(self, request: Request) -> Response:
        if not self.authorised(request):
            return _refused(401, "Authentication failed")
        menu_id = request.path_params["menu_id"]
        if self.menus.pop(menu_id, None) is None:
            return _refused(404, "Not found")
        if self.default_id == menu_id:
            self.default_id = None
        return JSONResponse({})

    async def _upload(self, request: Request) -> Response:
        if not self.authorised(request):
            return _refused(401, "Authentication failed")
        menu = self.menus.get(request.path_params["menu_id"])
        if menu is None:
            return _refused(404, "Not found")
        if menu.image is not None:
            self.violations.append("rich menu image: uploaded twice")
            return _refused(400, "An image has already been uploaded to the richmenu")
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        body = await request.body()
        refused = self._problems(
            "rich menu image", image_problems(content_type, body, menu.menu["size"])
        )
        if refused is not None:
            return refused
        menu.image, menu.content_type = body, content_type
        return JSONResponse({})

    async def _set_default(self, request: Request) -> Response:
        if not self.authorised(request):
            return _refused(401, "Authentication failed")
        menu = self.menus.get(request.path_params["menu_id"])
        if menu is None:
            return _refused(404, "Not found")
        if menu.image is None:
            return _refused(400, "An image has not been uploaded to the richmenu")
        self.default_id = menu.menu_id
        return JSONResponse({})

    async def _get_default(self, request: Request) -> Response:
        if not self.authorised(request):
            return _refused(401, "Authentication failed")
        if self.default_id is None:
            return _refused(404, "no default richmenu")
        return JSONResponse({"richMenuId": self.default_id})
