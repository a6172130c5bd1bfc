"""A local Telegram Bot API server on loopback for tests, benchmarks and the demo."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.demo.botapi.chats import Chat, ChatMessage, Tap
from bot.demo.botapi.checker import SpecChecker, SpecViolation, Violation
from bot.demo.botapi.errors import ApiError, bad_request, too_many_requests
from bot.demo.botapi.limits import check_limits
from bot.demo.botapi.methods import Methods, StoredFile, file_ids, image_size
from bot.demo.botapi.resident import Resident
from bot.demo.botapi.routes import application
from bot.demo.botapi.updates import PendingUpdate, UpdateQueue
from bot.demo.botapi.webhooks import Webhooks, WebhookTarget

log = logging.getLogger(__name__)
_file_serial = itertools.count(1)


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
        self.webhooks = Webhooks(self.queue, webhook_replicas, self._touch)
        self.callback_timeout = callback_timeout
        self.static_dir = Path(static_dir) if static_dir else None
        self._faults: dict[str, _Fault] = {}
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._http: tornado.httpserver.HTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> LocalBotApiServer:
        """Listen on host:port (port 0 picks a free one)."""
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        app = self._application()
        self._http = tornado.httpserver.HTTPServer(app, idle_connection_timeout=60)
        self._http.add_sockets(sockets)
        self.webhooks.start()
        return self

    def _application(self) -> tornado.web.Application:
        """The tornado application (the demo's server adds its own route to it)."""
        return application(self, self.static_dir)

    async def stop(self) -> None:
        """Stop listening and end long polls and webhook deliveries."""
        await self.webhooks.stop()
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
    def webhook_targets(self) -> list[WebhookTarget]:
        """Where updates go now (none: the bot polls with getUpdates)."""
        return self.webhooks.targets

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
        self.webhooks.wake()
        return update

    def redeliver(self, update: PendingUpdate) -> PendingUpdate:
        """Send an update to the bot a second time, same update_id (a re-delivery)."""
        again = self.queue.redeliver(update)
        self.webhooks.wake()
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
            # the description can quote the refused text: the log names the method and code only
            log.debug("local Bot API refused %s with %d", method, error.error_code)

    def begin_request(self, method: str) -> None:
        """Count a bot request in flight (long polls excepted)."""
        if method.lower() != "getupdates":
            self._inflight += 1
            self._last_activity = time.monotonic()

    def _touch(self) -> None:
        """The bot and the server exchanged something (settle() waits for quiet)."""
        self._last_activity = time.monotonic()

    def end_request(self, method: str, delivered: bool = False) -> None:
        """Count a bot request finished."""
        if method.lower() != "getupdates":
            self._inflight -= 1
            self._last_activity = time.monotonic()
        elif delivered:
            self._last_activity = time.monotonic()
