"""The queue of updates waiting for the bot: getUpdates semantics and webhook hand-out."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.demo.botapi.errors import ApiError

DEFAULT_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}


@dataclass
class PendingUpdate:
    """An update created by a user, until the bot confirms it (polling) or accepts it (webhook)."""

    update_id: int
    kind: str
    payload: dict[str, Any]
    chat_id: int
    delivered: asyncio.Event = field(default_factory=asyncio.Event)

    def to_json(self) -> dict[str, Any]:
        """Return the Update object."""
        return {"update_id": self.update_id, self.kind: self.payload}

    def __await__(self):  # type: ignore[no-untyped-def]
        """Awaiting an update waits until the bot has received it."""
        return self.delivered.wait().__await__()


class UpdateQueue:
    """Updates in order, with Telegram's offset confirmation and long-poll waiting."""

    def __init__(self) -> None:
        self.updates: deque[PendingUpdate] = deque()
        # like Telegram's, update ids keep rising across restarts of the server (a bot's inbox
        # remembers the ids it handled, and a new server must not hand out one of them again)
        self.next_update_id = int(time.time() * 1000)
        self.allowed_updates: list[str] = []
        self._arrived = asyncio.Event()
        self._poller: asyncio.Future[None] | None = None

    def push(self, kind: str, payload: dict[str, Any], chat_id: int) -> PendingUpdate:
        """Queue an update (dropped, but returned, if the bot does not want its kind)."""
        update = PendingUpdate(self.next_update_id, kind, payload, chat_id)
        self.next_update_id += 1
        if self.wants(kind):
            self.updates.append(update)
            self._arrived.set()
        else:
            update.delivered.set()
        return update

    def wants(self, kind: str) -> bool:
        """Whether the bot's allowed_updates setting lets this kind of update through."""
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED

    def undelivered(self) -> int:
        """Number of updates the bot has not received yet."""
        return sum(1 for update in self.updates if not update.delivered.is_set())

    def unconfirmed(self) -> int:
        """Number of updates the bot has not confirmed yet (received, not yet recorded by it)."""
        return len(self.updates)

    def drop_all(self) -> None:
        """Forget every pending update (drop_pending_updates)."""
        for update in self.updates:
            update.delivered.set()
        self.updates.clear()

    def confirm_below(self, offset: int) -> None:
        """Forget updates with update_id < offset (Telegram's confirmation)."""
        kept = deque(update for update in self.updates if update.update_id >= offset)
        for update in self.updates:
            if update.update_id < offset:
                update.delivered.set()
        self.updates = kept

    def remove(self, update: PendingUpdate) -> None:
        """Forget one update accepted by a webhook."""
        self.updates.remove(update)
        update.delivered.set()

    def redeliver(self, update: PendingUpdate) -> PendingUpdate:
        """Queue `update` again with the same update_id (Telegram re-sending it after a fault).

        getUpdates hands updates out in update_id order, so the copy comes first in the next batch.
        """
        again = PendingUpdate(update.update_id, update.kind, update.payload, update.chat_id)
        self.updates.append(again)
        self._arrived.set()
        return again

    def reverse_last(self, count: int) -> None:
        """Swap the contents of the last `count` waiting updates: they arrive out of order."""
        tail = [u for u in self.updates if not u.delivered.is_set()][-count:]
        contents = [(u.kind, u.payload, u.chat_id) for u in reversed(tail)]
        for update, (kind, payload, chat_id) in zip(tail, contents, strict=True):
            update.kind, update.payload, update.chat_id = kind, payload, chat_id

    def wake(self) -> None:
        """Wake every waiter (new updates or shutting down)."""
        self._arrived.set()

    async def get_updates(
        self, offset: int | None, limit: int, timeout: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """Serve getUpdates: confirm below offset, then return up to `limit`, waiting if empty."""
        if self._poller is not None and not self._poller.done():
            self._poller.set_exception(
                ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            )
        poller: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = poller
        if allowed is not None:
            self.allowed_updates = allowed
        if offset is not None and offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft().delivered.set()
        elif offset:
            self.confirm_below(offset)
        limit = min(max(limit, 1), 100)
        if not self.updates and timeout > 0:
            self._arrived.clear()
            waiter: asyncio.Future[Any] = asyncio.ensure_future(self._arrived.wait())
            waiting: list[asyncio.Future[Any]] = [waiter, poller]
            try:
                await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            if poller.done() and poller.exception() is not None:
                raise poller.exception()  # type: ignore[misc]
        if not poller.done():
            poller.set_result(None)
        batch = sorted(self.updates, key=lambda update: update.update_id)[:limit]
        for update in batch:
            update.delivered.set()
        return [update.to_json() for update in batch]
