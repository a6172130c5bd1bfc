"""A local Telegram Bot API server on loopback for tests, benchmarks and the demo."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.localapi.chats import Chat, ChatMessage, Tap
from bot.localapi.checker import SpecChecker, SpecViolation, Violation
from bot.localapi.errors import ApiError, bad_request, too_many_requests
from bot.localapi.limits import check_limits
from bot.localapi.methods import Methods, StoredFile, file_ids, image_size
from bot.localapi.resident import Resident
from bot.localapi.updates import PendingUpdate, UpdateQueue

log = logging.getLogger(__name__)
_file_serial = itertools.count(1)


@dataclass
class WebhookTarget:
    """One URL the server POSTs updates to."""

    url: str
    secret_token: str | None = None


@dataclass
class RecordedError:
    """An error answer the server gave to the bot."""

    method: str
    error_code: int
    description: str


@dataclass
class _Fault:
    error: ApiError
    times: int


@dataclass
class RateLimits:
    """Telegram's flood limits: messages per second overall and per chat (None = off)."""

    global_per_second: float | None = None
    per_chat_per_second: float | None = None
    sent: deque[float] = field(default_factory=deque)


class LocalBotApiServer:
    """Serves `/bot<token>/<method>` like Telegram, checks every call, and plays the users."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_username: str = "machikoe_test_bot",
        global_rate_limit: float | None = None,
        per_chat_rate_limit: float | None = None,
        webhook_replicas: bool = False,
        callback_timeout: float = 15.0,
        static_dir: Path | str | None = None,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": "まちの声",
            "username": bot_username,
        }
        self.checker = SpecChecker()
        self.methods = Methods(self)
        self.queue = UpdateQueue()
        self.chats: dict[int, Chat] = {}
        self.residents: dict[int, Resident] = {}
        self.callbacks: dict[str, Tap] = {}
        self.files: dict[str, StoredFile] = {}
        self.violations: list[Violation] = []
        self.errors: list[RecordedError] = []
        self.calls: list[str] = []
        self.rate_limits = RateLimits(global_rate_limit, per_chat_rate_limit)
        self.webhook_replicas = webhook_replicas
        self.webhook_targets: list[WebhookTarget] = []
        self.webhook_max_connections = 40
        self.webhook_last_error: tuple[int, str] | None = None
        self.callback_timeout = callback_timeout
        self.static_dir = Path(static_dir) if static_dir else None
        self._faults: dict[str, _Fault] = {}
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._http: tornado.httpserver.HTTPServer | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wakeup = asyncio.Event()
        self._round_robin = 0

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> LocalBotApiServer:
        """Listen on host:port (port 0 picks a free one)."""
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._http = tornado.httpserver.HTTPServer(self._application(), idle_connection_timeout=60)
        self._http.add_sockets(sockets)
        self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        return self

    async def stop(self) -> None:
        """Stop listening and end long polls and webhook deliveries."""
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        self.queue.wake()
        if self._http is not None:
            self._http.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._http.close_all_connections(), 2)
            self._http = None

    async def __aenter__(self) -> LocalBotApiServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. http://127.0.0.1:8081."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for python-telegram-bot's `base_url` (it appends the token)."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """Value for python-telegram-bot's `base_file_url`."""
        return f"{self.url}/file/bot"

    @property
    def client_url(self) -> str:
        """Root of the JSON client API for the web chat page."""
        return f"{self.url}/_client"

    def _application(self) -> tornado.web.Application:
        handlers: list[Any] = [
            (r"/bot([^/]+)/([A-Za-z]+)", BotApiHandler, {"server": self}),
            (r"/file/bot([^/]+)/(.+)", FileHandler, {"server": self}),
            (r"/_client/users", ClientUsersHandler, {"server": self}),
            (r"/_client/chats/(-?\d+)/(messages|send|tap)", ClientChatHandler, {"server": self}),
        ]
        if self.static_dir is not None:
            handlers.append(
                (
                    r"/(.*)",
                    tornado.web.StaticFileHandler,
                    {"path": str(self.static_dir), "default_filename": "index.html"},
                )
            )
        return tornado.web.Application(handlers, log_function=_quiet)

    # -- users and chats ---------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "市民",
        language_code: str | None = "ja",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> Resident:
        """Return the resident with this id, creating the user and the private chat."""
        if user_id in self.residents:
            return self.residents[user_id]
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        extras = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in extras.items() if value})
        chat_info = {"id": user_id, "type": "private", "first_name": first_name}
        chat_info.update({k: v for k, v in (("last_name", last_name), ("username", username)) if v})
        chat = Chat(chat_info)
        self.chats[user_id] = chat
        resident = Resident(self, user, chat)
        self.residents[user_id] = resident
        return resident

    def group(self, chat_id: int, title: str = "staff") -> Chat:
        """Return a group chat (e.g. the staff chat), creating it if needed."""
        if chat_id not in self.chats:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            self.chats[chat_id] = Chat({"id": chat_id, "type": kind, "title": title})
        return self.chats[chat_id]

    def chat(self, chat_id: int) -> Chat:
        """Return an existing chat."""
        return self.chats[chat_id]

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends to this chat get 403."""
        self.chats[chat_id].blocked = True

    def unblock(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        self.chats[chat_id].blocked = False

    def transcript(self, chat_id: int) -> list[ChatMessage]:
        """A chat's messages as its users see them."""
        return self.chats[chat_id].transcript()

    def unanswered_callbacks(self) -> list[Tap]:
        """Taps the bot has not answered (spinning buttons)."""
        return [tap for tap in self.callbacks.values() if not tap.answered]

    def store_file(self, content: bytes, file_name: str, mime_type: str) -> StoredFile:
        """Keep a file so the bot can download it and send it again by file_id."""
        file_id, unique_id = file_ids(content, next(_file_serial))
        stored = StoredFile(file_id, unique_id, content, file_name, mime_type)
        self.files[file_id] = stored
        return stored

    def photo_sizes(self, stored: StoredFile) -> list[dict[str, Any]]:
        """PhotoSize objects for a stored image."""
        width, height = image_size(stored.content)
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.content),
            }
        ]

    def queue_update(self, kind: str, payload: dict[str, Any], chat_id: int) -> PendingUpdate:
        """Queue an update for the bot (polling or webhook)."""
        update = self.queue.push(kind, payload, chat_id)
        self._webhook_wakeup.set()
        return update

    def redeliver(self, update: PendingUpdate) -> PendingUpdate:
        """Send an update to the bot a second time, same update_id (a re-delivery)."""
        again = self.queue.redeliver(update)
        self._webhook_wakeup.set()
        return again

    def reverse_last(self, count: int) -> None:
        """The last `count` waiting updates reach the bot in reverse order (ids stay ascending)."""
        self.queue.reverse_last(count)

    # -- faults, limits and settling ---------------------------------------------------------
    def fail_next(self, method: str, error: ApiError, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `error` (fault injection)."""
        self._faults[method] = _Fault(error, times)

    def take_send_slot(self, chat: Chat) -> None:
        """Apply the flood limits to one outgoing message, or raise 429."""
        limits = self.rate_limits
        now = time.monotonic()
        if limits.per_chat_per_second and chat.last_send:
            wait = 1 / limits.per_chat_per_second - (now - chat.last_send)
            if wait > 0:
                raise too_many_requests(max(1, math.ceil(wait)))
        if limits.global_per_second:
            while limits.sent and now - limits.sent[0] >= 1.0:
                limits.sent.popleft()
            if len(limits.sent) >= limits.global_per_second:
                raise too_many_requests(max(1, math.ceil(1.0 - (now - limits.sent[0]))))
            limits.sent.append(now)
        chat.last_send = now

    async def settle(self, quiet: float = 0.2, timeout: float = 15) -> None:
        """Wait until the bot received every update and made no call for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            idle = self._inflight == 0 and now - self._last_activity >= quiet
            if idle and self.queue.undelivered() == 0:
                return
            if now > deadline:
                raise TimeoutError(
                    f"bot did not settle in {timeout}s: {self.queue.undelivered()} updates "
                    f"undelivered, {self._inflight} calls in flight"
                )
            await asyncio.sleep(min(0.02, quiet / 4))

    # -- calls -------------------------------------------------------------------------------
    async def call(
        self,
        name: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]] | None = None,
        *,
        form: bool = False,
    ) -> Any:
        """Check and execute one Bot API call; raise ApiError with Telegram's answer."""
        files = files or {}
        try:
            method = self.checker.method_name(name)
            decoded = self.checker.check_call(method, params, files=frozenset(files), form=form)
            check_limits(method, decoded)
        except SpecViolation as exc:
            self.violations.append(Violation(name, exc.kind, exc.error.description))
            self._record_error(name, exc.error)
            raise exc.error from None
        self.calls.append(method)
        implementation = self.methods.table.get(method)
        if implementation is None:
            error = bad_request(f"method {method} is not supported by the local test server")
            self.violations.append(Violation(method, "unsupported_method", error.description))
            self._record_error(method, error)
            raise error
        fault = self._faults.get(method)
        try:
            if fault is not None and fault.times > 0:
                fault.times -= 1
                raise fault.error
            return await implementation(decoded, files)
        except ApiError as error:
            self._record_error(method, error)
            raise

    def _record_error(self, method: str, error: ApiError) -> None:
        self.errors.append(RecordedError(method, error.error_code, error.description))
        if error.error_code != 409:
            log.debug("local Bot API answered %s: %s", method, error.description)

    def begin_request(self, method: str) -> None:
        """Count a bot request in flight (long polls excepted)."""
        if method.lower() != "getupdates":
            self._inflight += 1
            self._last_activity = time.monotonic()

    def end_request(self, method: str, delivered: bool = False) -> None:
        """Count a bot request finished."""
        if method.lower() != "getupdates":
            self._inflight -= 1
            self._last_activity = time.monotonic()
        elif delivered:
            self._last_activity = time.monotonic()

    # -- webhooks ----------------------------------------------------------------------------
    def set_webhook(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Point updates at `url` (added to the targets in replica mode)."""
        target = WebhookTarget(url, secret_token)
        self.webhook_max_connections = max(1, min(max_connections, 100))
        if self.webhook_replicas:
            self.webhook_targets = [t for t in self.webhook_targets if t.url != url] + [target]
        else:
            self.webhook_targets = [target]
        self._webhook_wakeup.set()

    def add_webhook_replica(self, url: str, secret_token: str | None = None) -> None:
        """Add one more webhook target; updates are spread over targets round-robin."""
        self.webhook_targets = [t for t in self.webhook_targets if t.url != url]
        self.webhook_targets.append(WebhookTarget(url, secret_token))
        self._webhook_wakeup.set()

    def delete_webhook(self) -> None:
        """Remove every webhook target (back to getUpdates)."""
        self.webhook_targets = []
        self.queue.wake()

    def webhook_info(self) -> dict[str, Any]:
        """The WebhookInfo object."""
        info: dict[str, Any] = {
            "url": self.webhook_targets[0].url if self.webhook_targets else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue.updates),
        }
        if self.webhook_targets:
            info["max_connections"] = self.webhook_max_connections
            if self.queue.allowed_updates:
                info["allowed_updates"] = self.queue.allowed_updates
        if self.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_last_error
        return info

    async def _deliver_webhooks(self) -> None:
        """POST pending updates to the webhook targets, one at a time per chat, in order."""
        busy_chats: set[int] = set()
        in_flight: set[asyncio.Task[None]] = set()
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=100)) as http:
            while True:
                self._webhook_wakeup.clear()
                if self.webhook_targets:
                    for update in list(self.queue.updates):
                        if len(in_flight) >= self.webhook_max_connections:
                            break
                        if update.chat_id in busy_chats or update.delivered.is_set():
                            continue
                        busy_chats.add(update.chat_id)
                        task = asyncio.create_task(self._post_update(http, update, busy_chats))
                        in_flight.add(task)
                        task.add_done_callback(in_flight.discard)
                        task.add_done_callback(lambda _: self._webhook_wakeup.set())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._webhook_wakeup.wait(), 0.5)

    async def _post_update(
        self, http: httpx.AsyncClient, update: PendingUpdate, busy_chats: set[int]
    ) -> None:
        try:
            delay = 0.05
            while self.webhook_targets and update in self.queue.updates:
                target = self.webhook_targets[self._round_robin % len(self.webhook_targets)]
                self._round_robin += 1
                headers = {"Content-Type": "application/json"}
                if target.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = target.secret_token
                self._last_activity = time.monotonic()
                try:
                    response = await http.post(
                        target.url, content=json.dumps(update.to_json()), headers=headers
                    )
                    if 200 <= response.status_code < 300:
                        self.queue.remove(update)
                        self._last_activity = time.monotonic()
                        return
                    reason = f"Wrong response from the webhook: {response.status_code}"
                except httpx.HTTPError as exc:
                    reason = f"Connection failed: {type(exc).__name__}"
                self.webhook_last_error = (int(time.time()), reason)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
        finally:
            busy_chats.discard(update.chat_id)


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
