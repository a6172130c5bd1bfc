"""Webhook mode of the local server: where updates go, and their delivery like Telegram's."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, MutableSet
from dataclasses import dataclass
from typing import Any

import httpx

from bot.demo.botapi.updates import PendingUpdate, UpdateQueue


@dataclass
class WebhookTarget:
    """One URL the server POSTs updates to."""

    url: str
    secret_token: str | None = None


class Webhooks:
    """The webhook targets and the task that POSTs waiting updates to them: one at a time per
    chat, in order, again until a target answers 2xx (round-robin over replicas)."""

    def __init__(self, queue: UpdateQueue, replicas: bool, touch: Callable[[], None]) -> None:
        self.queue = queue
        self.replicas = replicas
        self.targets: list[WebhookTarget] = []
        self.max_connections = 40
        self.last_error: tuple[int, str] | None = None
        self._touch = touch
        self._wakeup = asyncio.Event()
        self._round_robin = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering (it idles while no target is set)."""
        self._task = asyncio.create_task(self._deliver())

    async def stop(self) -> None:
        """Stop delivering."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look for updates to deliver now (one was queued, or a target changed)."""
        self._wakeup.set()

    def set(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Point updates at `url` (added to the targets in replica mode)."""
        target = WebhookTarget(url, secret_token)
        self.max_connections = max(1, min(max_connections, 100))
        if self.replicas:
            self.targets = [t for t in self.targets if t.url != url] + [target]
        else:
            self.targets = [target]
        self.wake()

    def delete(self) -> None:
        """Remove every webhook target (back to getUpdates)."""
        self.targets = []
        self.queue.wake()

    def info(self) -> dict[str, Any]:
        """The WebhookInfo object."""
        info: dict[str, Any] = {
            "url": self.targets[0].url if self.targets else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue.updates),
        }
        if self.targets:
            info["max_connections"] = self.max_connections
            if self.queue.allowed_updates:
                info["allowed_updates"] = self.queue.allowed_updates
        if self.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    async def _deliver(self) -> None:
        """POST pending updates to the webhook targets, one at a time per chat, in order."""
        busy_chats: set[int] = set()
        in_flight: set[asyncio.Task[None]] = set()
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=100)) as http:
            while True:
                self._wakeup.clear()
                if self.targets:
                    for update in list(self.queue.updates):
                        if len(in_flight) >= self.max_connections:
                            break
                        if update.chat_id in busy_chats or update.delivered.is_set():
                            continue
                        busy_chats.add(update.chat_id)
                        task = asyncio.create_task(self._post(http, update, busy_chats))
                        in_flight.add(task)
                        task.add_done_callback(in_flight.discard)
                        task.add_done_callback(lambda _: self._wakeup.set())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), 0.5)

    async def _post(
        self, http: httpx.AsyncClient, update: PendingUpdate, busy_chats: MutableSet[int]
    ) -> None:
        try:
            delay = 0.05
            while self.targets and update in self.queue.updates:
                target = self.targets[self._round_robin % len(self.targets)]
                self._round_robin += 1
                headers = {"Content-Type": "application/json"}
                if target.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = target.secret_token
                self._touch()
                try:
                    response = await http.post(
                        target.url, content=json.dumps(update.to_json()), headers=headers
                    )
                    if 200 <= response.status_code < 300:
                        self.queue.remove(update)
                        self._touch()
                        return
                    reason = f"Wrong response from the webhook: {response.status_code}"
                except httpx.HTTPError as exc:
                    reason = f"Connection failed: {type(exc).__name__}"
                self.last_error = (int(time.time()), reason)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
        finally:
            busy_chats.discard(update.chat_id)
