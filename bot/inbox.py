"""The bot's durable inbox: an update is recorded before Telegram is told it arrived, marked
done once handled, and handled after a crash if it never was."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram import Update

from bot.services import Services
from storage.repositories.inbox import InboxRepository, ReceivedUpdate

log = logging.getLogger(__name__)

MAX_AGE = timedelta(days=1)
"""Unhandled updates older than this are dropped, not handled: the resident has moved on."""

Raw = dict[str, Any]


def chat_of(raw: Raw) -> int | None:
    """The chat (else the sender) of an update as Telegram sent it."""
    for kind, body in raw.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        for holder in (body, body.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return holder["chat"].get("id")
        for who in ("from", "user"):
            if isinstance(body.get(who), dict):
                return body[who].get("id")
    return None


class Inbox:
    """This process's view of the inbox: records, recovers, and marks handled updates done."""

    def __init__(self, services: Services, max_age: timedelta = MAX_AGE) -> None:
        self.services = services
        self.max_age = max_age
        self.owner = secrets.randbits(62)
        self._in_hand: set[int] = set()
        self._done: list[int] = []
        self._flushing: asyncio.Task[None] | None = None
        self._alive: AsyncConnection | None = None

    @property
    def shared(self) -> bool:
        """Whether replicas may share the database (PostgreSQL)."""
        return self.services.engine.dialect.name == "postgresql"

    async def open(self) -> None:
        """Tell other replicas this process is alive: a session advisory lock on its owner
        number, held until the process stops or dies (PostgreSQL only)."""
        if self.shared and self._alive is None:
            self._alive = await self.services.engine.connect()
            await self._alive.exec_driver_sql(f"SELECT pg_advisory_lock({self.owner})")
            await self._alive.commit()

    async def close(self) -> None:
        """Store the last done marks and let go of the advisory lock."""
        await self.flush()
        if self._alive is not None:
            await self._alive.exec_driver_sql(f"SELECT pg_advisory_unlock({self.owner})")
            await self._alive.close()
            self._alive = None

    async def record(self, batch: Sequence[Raw]) -> list[Raw]:
        """Record updates durably; those not seen before, in order (the rest are redeliveries)."""
        if not batch:
            return []
        received = [
            ReceivedUpdate(raw["update_id"], chat_of(raw), orjson.dumps(raw).decode())
            for raw in batch
        ]
        async with self.services.uow() as uow:
            await uow.begin_write()
            new = await InboxRepository(uow.session).record(
                received, self.owner, self.services.now()
            )
            await uow.commit()
        self._in_hand |= new
        return [raw for raw in batch if raw["update_id"] in new]

    async def recover(self) -> list[Raw]:
        """Drop what aged out (counted in the log), then take over the updates that processes
        now gone recorded and never handled, oldest first."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            repository = InboxRepository(uow.session)
            dropped = await repository.drop_older_than(self.services.now() - self.max_age)
            claimed = await repository.claim_abandoned(self.owner)
            await uow.commit()
        if dropped:
            log.warning("inbox: dropped %d unhandled updates older than %s", dropped, self.max_age)
        if claimed:
            log.warning("inbox: handling %d updates left unhandled by a stopped bot", len(claimed))
        self._in_hand |= {received.update_id for received in claimed}
        return [orjson.loads(received.payload) for received in claimed]

    def handled(self, update: object) -> None:
        """An update was handled: mark it done soon (marks are written in batches)."""
        if not isinstance(update, Update) or update.update_id not in self._in_hand:
            return
        self._in_hand.discard(update.update_id)
        self._done.append(update.update_id)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._write_done())

    async def flush(self) -> None:
        """Wait until every done mark so far is stored."""
        while self._flushing is not None and not self._flushing.done():
            await asyncio.wait({self._flushing})
        if self._done:
            await self._write_done()

    async def _write_done(self) -> None:
        """Store done marks until none are waiting; what piles up meanwhile goes in one write."""
        while self._done:
            update_ids, self._done = self._done, []
            try:
                async with self.services.uow() as uow:
                    await uow.begin_write()
                    await InboxRepository(uow.session).mark_done(update_ids)
                    await uow.commit()
            except Exception as error:  # handled anyway; the worst is handling it again
                log.warning("inbox: could not mark %d updates done: %s", len(update_ids), error)
                return
