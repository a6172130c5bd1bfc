"""A channel's durable inbox, written once for every channel: an update is recorded before the
channel is told it arrived, marked done once handled, taken over after a crash if it never was,
and dropped when it is older than the resident still cares.

A channel's adapter (bot/telegram/inbox.py, bot/line/events.py) says how a raw update gives its
key and user, and what it hands on to its handlers; the rest is here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app.services import Services
from storage.repositories.inbox import InboxRepository, InboxTable, K, ReceivedUpdate

log = logging.getLogger(__name__)

MAX_AGE = timedelta(days=1)
"""Unhandled updates older than this are dropped, not handled: the resident has moved on."""
MARK_DELAY = 0.02
"""Seconds a done mark may wait for others (or the next batch's record) to share a write: about
a round trip to the channel, so a crash re-handles hardly more updates than it would anyway."""
TAKEOVER_GRACE = 2.0
"""Seconds an owner's lock must stay free before its updates are taken over at start-up."""
KEEP_ALIVE_SECONDS = 1.0
"""How often a replica checks the connection that shows it alive (PostgreSQL)."""
SWEEP_SECONDS = 5.0
"""How often a replica looks for updates that a replica now gone recorded and never handled:
an owner found gone at two sweeps in a row is taken over (a live replica that lost its lock's
connection takes its lock again within KEEP_ALIVE_SECONDS of the database answering)."""
PURGE_SECONDS = 3600.0
"""How often aged-out inbox rows are dropped."""

Raw = dict[str, Any]
Item = TypeVar("Item")
"""What a channel hands its handlers for an update (Telegram: the raw update)."""


class InboxWrites(Protocol[K]):
    """The inbox's two writes on the hot path: once per batch, and once per batch handled."""

    async def record(
        self,
        updates: Sequence[ReceivedUpdate[K]],
        owner: int,
        now: datetime,
        done: Sequence[K] = (),
    ) -> set[K]:
        """Mark `done` done and record updates for `owner`, in one transaction; the keys new,
        or recorded by `owner` and not handled."""
        ...

    async def mark_done(self, keys: Sequence[K]) -> None:
        """Mark handled updates done."""
        ...


class ThroughUnitOfWork(Generic[K]):
    """The inbox's writes through the unit of work (when no step lane serves the channel)."""

    def __init__(self, services: Services, inbox: InboxTable[K]) -> None:
        self.services = services
        self.inbox: InboxTable[K] = inbox

    async def record(
        self,
        updates: Sequence[ReceivedUpdate[K]],
        owner: int,
        now: datetime,
        done: Sequence[K] = (),
    ) -> set[K]:
        """Mark `done` done and record updates for `owner`, in one transaction; the keys new,
        or recorded by `owner` and not handled."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            repository: InboxRepository[K] = InboxRepository(uow.session, self.inbox)
            await repository.mark_done(done)
            new = await repository.record(updates, owner, now)
            await uow.commit()
        return new

    async def mark_done(self, keys: Sequence[K]) -> None:
        """Mark handled updates done."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            repository: InboxRepository[K] = InboxRepository(uow.session, self.inbox)
            await repository.mark_done(keys)
            await uow.commit()


class DurableInbox(ABC, Generic[K, Item]):
    """This process's view of a channel's inbox: records, recovers, and marks handled updates
    done. A subclass says how a raw update gives its key and user, and what it hands on."""

    what = "updates"
    """What the channel's updates are called in the log."""

    def __init__(
        self,
        services: Services,
        inbox: InboxTable[K],
        writes: InboxWrites[K] | None = None,
        max_age: timedelta = MAX_AGE,
    ) -> None:
        self.services = services
        self.inbox: InboxTable[K] = inbox
        self.writes: InboxWrites[K] = writes or ThroughUnitOfWork(services, inbox)
        self.max_age = max_age
        self.owner = secrets.randbits(62)
        self.grace = TAKEOVER_GRACE
        self._in_hand: set[K] = set()
        """Updates queued by this process whose done mark is not stored yet."""
        self._done: list[K] = []
        self._flushing: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._alive: AsyncConnection | None = None
        self._gone_before: set[int] = set()

    @abstractmethod
    def received_of(self, raw: Raw) -> ReceivedUpdate[K]:
        """A raw update's key, user and JSON text."""

    @abstractmethod
    def item_of(self, received: ReceivedUpdate[K], raw: Raw) -> Item:
        """What the channel's handlers get for an update."""

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

    async def record(self, batch: Sequence[Raw]) -> list[Item]:
        """Record updates durably; those not seen before, in order (the rest are redeliveries)."""
        if not batch:
            return []
        first: dict[K, tuple[ReceivedUpdate[K], Raw]] = {}
        for raw in batch:  # an update twice in a batch is recorded (and handled) once
            one = self.received_of(raw)
            first.setdefault(one.key, (one, raw))
        received = [one for one, _ in first.values()]
        done, self._done = self._done, []  # the done marks waiting go in the same transaction
        try:
            new = await self.writes.record(received, self.owner, self.services.now(), done)
        except BaseException:
            self._done[:0] = done
            raise
        self._in_hand.difference_update(done)
        new -= self._in_hand  # recorded by this process and queued already: a redelivery
        self._in_hand |= new
        return [self.item_of(one, raw) for one, raw in first.values() if one.key in new]

    async def recover(self) -> list[Item]:
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

    async def take_over(self) -> list[Item]:
        """What replicas now gone left unhandled (PostgreSQL), oldest first: owners found gone
        at this sweep and at the previous one."""
        if not self.shared:
            return []
        earlier, self._gone_before = self._gone_before, await self._gone()
        gone = earlier & self._gone_before
        return await self._claim(gone) if gone else []

    async def watch(self, hand_on: Callable[[list[Item]], Awaitable[None]]) -> None:
        """Keep this replica's lock, hand on what gone replicas left (PostgreSQL), and drop
        aged-out rows, forever."""
        last_sweep = last_purge = time.monotonic()
        failing = False
        while True:
            await asyncio.sleep(KEEP_ALIVE_SECONDS if self.shared else PURGE_SECONDS)
            now = time.monotonic()
            try:
                await self.keep_alive()
                if self.shared and now - last_sweep >= SWEEP_SECONDS:
                    last_sweep = now
                    await hand_on(await self.take_over())
                if now - last_purge >= PURGE_SECONDS:
                    last_purge = now
                    await self.purge()
                failing = False
            except Exception as error:  # the database: once in the log, then try again
                if not failing:
                    log.warning("inbox sweep failed (%s); trying again", type(error).__name__)
                failing = True

    async def purge(self) -> None:
        """Forget the rows that aged out; unhandled ones are counted in the log."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            cutoff = self.services.now() - self.max_age
            dropped = await InboxRepository(uow.session, self.inbox).drop_older_than(cutoff)
            await uow.commit()
        if dropped:
            log.warning(
                "inbox: dropped %d unhandled %s older than %s", dropped, self.what, self.max_age
            )

    async def _gone(self) -> set[int]:
        """Other owners of unhandled updates whose lock is free now."""
        async with self.services.uow() as uow:
            gone = await InboxRepository(uow.session, self.inbox).gone_owners(self.owner)
            await uow.commit()  # lets go of the locks the check took
        return gone

    async def _claim(self, among: set[int] | None) -> list[Item]:
        """Claim the unhandled updates of gone owners (of `among`, when given)."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            repository: InboxRepository[K] = InboxRepository(uow.session, self.inbox)
            claimed = await repository.claim_abandoned(self.owner, among)
            await uow.commit()
        if claimed:
            log.warning("inbox: handling %d %s a stopped bot left", len(claimed), self.what)
        self._in_hand |= {received.key for received in claimed}
        return [self.item_of(received, orjson.loads(received.payload)) for received in claimed]

    def mark_handled(self, key: K) -> None:
        """An update was handled: mark it done soon. Marks wait up to MARK_DELAY for the next
        batch's record (same transaction) or for one another, and go in one statement."""
        if key not in self._in_hand:
            return
        self._done.append(key)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(MARK_DELAY, self._start_writing)

    async def done(self, key: K) -> None:
        """An update was handled: its done mark (and any waiting) stored now."""
        self.mark_handled(key)
        await self.flush()

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
            keys, self._done = self._done, []
            try:
                await self.writes.mark_done(keys)
            except Exception as error:  # handled anyway; the worst is handling it again
                log.warning("inbox: could not mark %d %s done: %s", len(keys), self.what, error)
            finally:
                self._in_hand.difference_update(keys)
