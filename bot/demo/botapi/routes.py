"""The local server's HTTP routes: the Bot API, file downloads and the web chat page's API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tornado.web

from bot.demo.botapi.errors import ApiError, bad_request

if TYPE_CHECKING:
    from bot.demo.botapi.server import LocalBotApiServer


def application(server: LocalBotApiServer, static_dir: Path | None) -> tornado.web.Application:
    """The tornado application serving `server` (and the chat page from `static_dir`)."""
    handlers: list[Any] = [
        (r"/bot([^/]+)/([A-Za-z]+)", BotApiHandler, {"server": server}),
        (r"/file/bot([^/]+)/(.+)", FileHandler, {"server": server}),
        (r"/_client/users", ClientUsersHandler, {"server": server}),
        (r"/_client/chats/(-?\d+)/(messages|send|tap)", ClientChatHandler, {"server": server}),
    ]
    if static_dir is not None:
        handlers.append(
            (
                r"/(.*)",
                tornado.web.StaticFileHandler,
                {"path": str(static_dir), "default_filename": "index.html"},
            )
        )
    return tornado.web.Application(handlers, log_function=_quiet)


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """No access log: requests carry personal data and would flood the test output."""


def _json(handler: tornado.web.RequestHandler, status: int, body: dict[str, Any]) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "application/json")
    handler.finish(json.dumps(body, ensure_ascii=False).encode("utf-8"))


class BotApiHandler(tornado.web.RequestHandler):
    """`/bot<token>/<method>`: the Bot API itself."""

    def initialize(self, server: LocalBotApiServer) -> None:
        self.server = server

    def check_xsrf_cookie(self) -> None:
        """The Bot API has no XSRF protection."""

    async def get(self, token: str, method: str) -> None:
        await self.post(token, method)

    async def post(self, token: str, method: str) -> None:
        if token != self.server.token:
            _json(self, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params, files, form = self._params()
        except ValueError:
            _json(self, 400, bad_request("can't parse JSON object").to_json())
            return
        self.server.begin_request(method)
        delivered = False
        try:
            result = await self.server.call(method, params, files, form=form)
            delivered = bool(result) if isinstance(result, list) else False
            if self.request.connection and not self.request.connection.stream.closed():  # type: ignore[attr-defined]
                _json(self, 200, {"ok": True, "result": result})
        except ApiError as error:
            if self.request.connection and not self.request.connection.stream.closed():  # type: ignore[attr-defined]
                _json(self, error.error_code, error.to_json())
        finally:
            self.server.end_request(method, delivered)

    def _params(self) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]], bool]:
        content_type = self.request.headers.get("Content-Type", "")
        files = {
            name: (parts[0].filename, parts[0].body, parts[0].content_type)
            for name, parts in self.request.files.items()
        }
        if content_type.startswith("application/json"):
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            return body, files, False
        params = {
            key: values[-1].decode("utf-8")
            for key, values in (self.request.query_arguments | self.request.body_arguments).items()
        }
        return params, files, True


class FileHandler(tornado.web.RequestHandler):
    """`/file/bot<token>/<file_path>`: file downloads."""

    def initialize(self, server: LocalBotApiServer) -> None:
        self.server = server

    def get(self, token: str, path: str) -> None:
        for stored in self.server.files.values():
            if token == self.server.token and stored.file_path == path:
                self.set_header("Content-Type", stored.mime_type)
                self.finish(stored.content)
                return
        self.set_status(404)
        self.finish()


class _ClientHandler(tornado.web.RequestHandler):
    def initialize(self, server: LocalBotApiServer) -> None:
        self.server = server

    def set_default_headers(self) -> None:
        self.set_header("Access-Control-Allow-Origin", "*")
        self.set_header("Access-Control-Allow-Headers", "Content-Type")

    def options(self, *args: str) -> None:
        self.set_status(204)
        self.finish()

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400, "body must be a JSON object")
        return data

    def fail(self, status: int, description: str) -> None:
        _json(self, status, {"ok": False, "description": description})


class ClientUsersHandler(_ClientHandler):
    """POST `/_client/users` {user_id?, first_name, language_code?}: create a resident."""

    def post(self) -> None:
        data = self.body()
        user_id = data.get("user_id") or (max(self.server.residents, default=100000) + 1)
        resident = self.server.user(
            int(user_id), str(data.get("first_name") or "市民"), data.get("language_code", "ja")
        )
        _json(self, 200, {"ok": True, "user": resident.user})


class ClientChatHandler(_ClientHandler):
    """The web chat page's view of one resident's chat: messages, send, tap."""

    async def get(self, user_id: str, action: str) -> None:
        if action != "messages":
            raise tornado.web.HTTPError(405)
        resident = self.server.residents.get(int(user_id))
        if resident is None:
            self.fail(404, "unknown user; POST /_client/users first")
            return
        after = int(self.get_argument("after", "-1"))
        timeout = min(float(self.get_argument("timeout", "25")), 60.0)
        if resident.chat.version <= after:
            await resident.chat.wait_changed(timeout)
        _json(
            self,
            200,
            {
                "ok": True,
                "version": resident.chat.version,
                "user": resident.user,
                "messages": [message.to_json() for message in resident.messages],
            },
        )

    def post(self, user_id: str, action: str) -> None:
        data = self.body()
        resident = self.server.residents.get(int(user_id))
        if resident is None:
            resident = self.server.user(int(user_id), str(data.get("first_name") or "市民"))
        if action == "send":
            text = str(data.get("text", ""))
            if not text.strip():
                self.fail(400, "text is empty")
                return
            update = (
                resident.send_command(text) if text.startswith("/") else resident.send_text(text)
            )
        elif action == "tap":
            try:
                update = resident.tap_data(int(data["message_id"]), str(data["callback_data"]))
            except (KeyError, ValueError, LookupError) as exc:
                self.fail(400, f"cannot tap: {exc}")
                return
        else:
            raise tornado.web.HTTPError(405)
        _json(self, 200, {"ok": True, "update_id": update.update_id})
