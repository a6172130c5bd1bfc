"""Where updates enter the bot: long polling or a webhook, each update recorded in the inbox
before Telegram is told it arrived (the next getUpdates offset, or the webhook's 200)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

import orjson
import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.telegram.delivery import retry_seconds
from bot.telegram.inbox import Inbox, Raw

log = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 30.0
READ_MARGIN = 5.0
"""Seconds a long poll may take beyond its own timeout before it counts as lost."""


class Outage:
    """Retry delays while the Bot API cannot be reached, and one log line each way."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.attempts = 0
        self.delay = 1.0

    def failed(self, error: TelegramError) -> float:
        """Note a failed call; the seconds to wait before the next one."""
        if isinstance(error, RetryAfter):
            return retry_seconds(error)
        self.attempts += 1
        if self.since is None:
            self.since = time.monotonic()
            self.delay = 1.0
            log.warning(
                "cannot reach the Bot API (%s: %s); retrying in %.0f s, then up to every %.0f s",
                type(error).__name__,
                error,
                self.delay,
                MAX_RETRY_SECONDS,
            )
        else:
            self.delay = min(self.delay * 2, MAX_RETRY_SECONDS)
            log.debug("Bot API still unreachable; retrying in %.0f s", self.delay)
        return self.delay

    def succeeded(self) -> None:
        """A call went through: say so once if it ends an outage."""
        if self.since is not None:
            log.warning(
                "the Bot API is reachable again (after %.0f s, %d failed attempts)",
                time.monotonic() - self.since,
                self.attempts,
            )
            self.since, self.attempts = None, 0


class Intake:
    """Records incoming updates, then hands them to the application's update queue."""

    def __init__(self, application: Application, inbox: Inbox) -> None:  # type: ignore[type-arg]
        self.application = application
        self.inbox = inbox
        self.outage = Outage()
        self.offset: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._server: tornado.httpserver.HTTPServer | None = None

    async def receive(self, batch: Sequence[Raw]) -> None:
        """Record a batch, then queue the updates not seen before."""
        for raw in await self.inbox.record(batch):
            await self._enqueue(raw)

    async def _enqueue(self, raw: Raw) -> None:
        """Queue one update for the application."""
        await self.application.update_queue.put(Update.de_json(raw, self.application.bot))

    async def start(self, *, polling: bool, timeout: int = 10) -> None:
        """Handle what stopped bots left, then keep polling (if asked) and sweeping."""
        await self.inbox.open()
        await self._recover()
        if polling:
            self._tasks.append(asyncio.create_task(self._poll(timeout)))
        self._tasks.append(asyncio.create_task(self._sweep()))

    async def _recover(self) -> None:
        """Queue the abandoned updates (before anything new)."""
        for raw in await self.inbox.recover():
            await self._enqueue(raw)

    async def _poll(self, timeout: int) -> None:
        """getUpdates in a loop; a batch is confirmed (the next offset) only once recorded."""
        bot = self.application.bot
        while True:
            try:
                batch = await fetch_updates(bot, self.offset, timeout)
            except InvalidToken:
                log.error("the Bot API refuses the token; polling stopped")
                raise
            except TelegramError as error:
                await asyncio.sleep(self.outage.failed(error))
                continue
            self.outage.succeeded()
            try:
                await self.receive(batch)
            except Exception as error:  # the database: fetch the same batch again
                log.warning(
                    "could not record %d updates (%s); fetching them again in %.0f s",
                    len(batch),
                    type(error).__name__,
                    1.0,
                )
                await asyncio.sleep(1.0)
                continue
            if batch:
                self.offset = int(batch[-1]["update_id"]) + 1

    async def _sweep(self) -> None:
        """Keep this replica's lock, take over what gone replicas left, drop aged-out rows."""
        await self.inbox.watch(self._enqueue_all)

    async def _enqueue_all(self, batch: list[Raw]) -> None:
        """Queue updates taken over, in order."""
        for raw in batch:
            await self._enqueue(raw)

    def serve_webhook(self, listen: str, port: int, path: str, secret_token: str) -> None:
        """Listen for Telegram's POSTs; each is answered 200 only once recorded."""
        app = tornado.web.Application(
            [(f"/{path.lstrip('/')}", WebhookHandler, {"intake": self, "secret": secret_token})],
            log_function=lambda handler: None,
        )
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.listen(port, listen)

    async def stop(self) -> None:
        """Stop taking updates; confirm what polling recorded (handled or not, it is kept)."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._server is not None:
            self._server.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.close_all_connections(), 2)
            self._server = None
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await fetch_updates(self.application.bot, self.offset, 0)


async def fetch_updates(bot: Any, offset: int | None, timeout: int) -> list[Raw]:
    """One getUpdates call, the updates as Telegram sent them (parsed later, once recorded)."""
    params: dict[str, Any] = {"timeout": timeout, "allowed_updates": list(Update.ALL_TYPES)}
    if offset is not None:
        params["offset"] = offset
    result = await bot._post("getUpdates", params, read_timeout=timeout + READ_MARGIN)
    return list(result)


class WebhookHandler(tornado.web.RequestHandler):
    """Telegram's webhook POST: checked, recorded, then answered 200 (else Telegram retries)."""

    def initialize(self, intake: Intake, secret: str) -> None:
        self.intake = intake
        self.secret = secret

    def check_xsrf_cookie(self) -> None:
        """Telegram sends no XSRF cookie; the secret token header authenticates it."""

    async def post(self) -> None:
        if self.request.headers.get("X-Telegram-Bot-Api-Secret-Token") != self.secret:
            self.send_error(403)
            return
        try:
            raw = orjson.loads(self.request.body)
        except orjson.JSONDecodeError:
            raw = None
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            self.send_error(400)
            return
        try:
            await self.intake.receive([raw])
        except Exception as error:  # not recorded: Telegram must send it again
            log.warning("could not record an update (%s); Telegram will retry", error)
            self.send_error(500)
            return
        self.set_status(200)
        self.finish()
