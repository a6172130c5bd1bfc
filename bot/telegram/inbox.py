"""The bot's durable inbox: an update is recorded before Telegram is told it arrived, marked
done once handled, and handled after a crash if it never was."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram import Update

from bot.app.services import Services
from storage.pglane import PostgresInboxLane, PostgresStepLane
from storage.repositories.inbox import InboxRepository, ReceivedUpdate
from storage.steplane import SqliteInboxLane, StepLane

log = logging.getLogger(__name__)

MAX_AGE = timedelta(days=1)
"""Unhandled updates older than this are dropped, not handled: the resident has moved on."""

MARK_DELAY = 0.02
"""Seconds a done mark may wait for others (or the next batch's record) to share a write: about
a Bot API round trip, so a crash re-handles hardly more updates than it would anyway."""
TAKEOVER_GRACE = 2.0
"""Seconds an owner's lock must stay free before its updates are taken over at start-up."""

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


class InboxWrites(Protocol):
    """The inbox's two writes on the hot path: once per batch, and once per batch handled."""

    async def record(
        self,
        updates: Sequence[ReceivedUpdate],
        owner: int,
        now: datetime,
        done: Sequence[int] = (),
    ) -> set[int]:
        """Mark `done` done and record updates for `owner`, in one transaction; the ids new, or
        recorded by `owner` and not handled."""
        ...

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Mark handled updates done."""
        ...


class ThroughUnitOfWork:
    """The inbox's writes through the unit of work (an in-memory SQLite database)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def record(
        self,
        updates: Sequence[ReceivedUpdate],
        owner: int,
        now: datetime,
        done: Sequence[int] = (),
    ) -> set[int]:
        """Mark `done` done and record updates for `owner`, in one transaction; the ids new, or
        recorded by `owner` and not handled."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            repository = InboxRepository(uow.session)
            await repository.mark_done(done)
            new = await repository.record(updates, owner, now)
            await uow.commit()
        return new

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Mark handled updates done."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            await InboxRepository(uow.session).mark_done(update_ids)
            await uow.commit()


def writes_for(services: Services) -> InboxWrites:
    """The fastest way to the database in use: the step lane's connections (a batch in one
    trip, no ORM session), else the unit of work."""
    if isinstance(services.steps, StepLane):
        return SqliteInboxLane(services.steps)
    if isinstance(services.steps, PostgresStepLane):
        return PostgresInboxLane(services.steps)
    return ThroughUnitOfWork(services)


class Inbox:
    """This process's view of the inbox: records, recovers, and marks handled updates done."""

    def __init__(self, services: Services, max_age: timedelta = MAX_AGE) -> None:
        self.services = services
        self.max_age = max_age
        self.owner = secrets.randbits(62)
        self.writes = writes_for(services)
        self._in_hand: set[int] = set()
        """Updates queued by this process whose done mark is not stored yet."""
        self._done: list[int] = []
        self._flushing: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._alive: AsyncConnection | None = None
        self._gone_before: set[int] = set()
        self.grace = TAKEOVER_GRACE

    @property
    def shared(self) -> bool:
        """Whether replicas may share the database (PostgreSQL)."""
        return self.services.engine.dialect.name == "postgresql"

    async def open(self) -> None:
        """Tell other replicas this process is alive: a session advisory lock on its owner
        number, held until the process stops or dies (PostgreSQL only)."""
        if self.shared and self._alive is None:
            connection = await self.services.engine.connect()
            await connection.exec_driver_sql(f"SELECT pg_advisory_lock({self.owner})")
            await connection.commit()
            self._alive = connection

    async def keep_alive(self) -> None:
        """Check the connection that holds the lock; when it broke (the server restarted),
        take the lock again on a new one before other replicas' takeover grace runs out."""
        if not self.shared:
            return
        if self._alive is not None:
            try:
                await self._alive.exec_driver_sql("SELECT 1")
                await self._alive.commit()
                return
            except Exception as error:
                log.warning("inbox: lost the connection that shows this bot alive (%s)", error)
                with contextlib.suppress(Exception):
                    await self._alive.invalidate()
                self._alive = None
        connection = await self.services.engine.connect()
        try:
            lock = f"SELECT pg_try_advisory_lock({self.owner})"
            taken = (await connection.exec_driver_sql(lock)).scalar()
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not taken:  # a replica's takeover check holds it this instant: try again soon
            await connection.close()
            return
        self._alive = connection
        log.warning("inbox: this bot shows itself alive again")

    async def close(self) -> None:
        """Store the last done marks and let go of the advisory lock."""
        await self.flush()
        if self._alive is not None:
            with contextlib.suppress(Exception):
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
        done, self._done = self._done, []  # the done marks waiting go in the same transaction
        try:
            new = await self.writes.record(received, self.owner, self.services.now(), done)
        except BaseException:
            self._done[:0] = done
            raise
        self._in_hand.difference_update(done)
        new -= self._in_hand  # recorded by this process and queued already: a redelivery
        self._in_hand |= new
        return [raw for raw in batch if raw["update_id"] in new]

    async def recover(self) -> list[Raw]:
        """At start-up: drop what aged out, then take over the updates that processes now gone
        recorded and never handled, oldest first. On PostgreSQL an owner counts as gone only
        when its lock is still free after `grace` (a live replica whose lock's connection broke
        takes its lock again within a keep-alive period)."""
        await self.purge()
        if not self.shared:
            return await self._claim(None)
        gone = await self._gone()
        if not gone:
            return []
        await asyncio.sleep(self.grace)
        return await self._claim(gone)

    async def take_over(self) -> list[Raw]:
        """What replicas now gone left unhandled (PostgreSQL), oldest first: owners found gone
        at this sweep and at the previous one."""
        if not self.shared:
            return []
        earlier, self._gone_before = self._gone_before, await self._gone()
        gone = earlier & self._gone_before
        return await self._claim(gone) if gone else []

    async def purge(self) -> None:
        """Forget the rows that aged out; unhandled ones are counted in the log."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            cutoff = self.services.now() - self.max_age
            dropped = await InboxRepository(uow.session).drop_older_than(cutoff)
            await uow.commit()
        if dropped:
            log.warning("inbox: dropped %d unhandled updates older than %s", dropped, self.max_age)

    async def _gone(self) -> set[int]:
        """Other owners of unhandled updates whose lock is free now."""
        async with self.services.uow() as uow:
            gone = await InboxRepository(uow.session).gone_owners(self.owner)
            await uow.commit()  # lets go of the locks the check took
        return gone

    async def _claim(self, among: set[int] | None) -> list[Raw]:
        """Claim the unhandled updates of gone owners (of `among`, when given)."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            claimed = await InboxRepository(uow.session).claim_abandoned(self.owner, among)
            await uow.commit()
        if claimed:
            log.warning("inbox: handling %d updates left unhandled by a stopped bot", len(claimed))
        self._in_hand |= {received.update_id for received in claimed}
        return [orjson.loads(received.payload) for received in claimed]

    def handled(self, update: object) -> None:
        """An update was handled: mark it done soon. Marks wait up to MARK_DELAY for the next
        batch's record (same transaction) or for one another, and go in one statement."""
        if not isinstance(update, Update) or update.update_id not in self._in_hand:
            return
        self._done.append(update.update_id)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(MARK_DELAY, self._start_writing)

    def _start_writing(self) -> None:
        """Write the done marks waiting (unless a write is running: it takes them next)."""
        self._timer = None
        if self._done and (self._flushing is None or self._flushing.done()):
            self._flushing = asyncio.create_task(self._write_done())

    async def flush(self) -> None:
        """Wait until every done mark so far is stored."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._flushing is not None and not self._flushing.done():
            await asyncio.wait({self._flushing})
        if self._done:
            await self._write_done()

    async def _write_done(self) -> None:
        """Store done marks until none are waiting; what piles up meanwhile goes in one write."""
        while self._done:
            update_ids, self._done = self._done, []
            try:
                await self.writes.mark_done(update_ids)
            except Exception as error:  # handled anyway; the worst is handling it again
                log.warning("inbox: could not mark %d updates done: %s", len(update_ids), error)
            finally:
                self._in_hand.difference_update(update_ids)
