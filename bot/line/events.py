"""The LINE inbox: webhook events recorded before LINE is answered, handled at least once.

Like Telegram's inbox (bot/telegram/inbox.py): a row per event, keyed by LINE's webhookEventId so a
redelivered event is not handled twice, marked done once handled; a process that died leaves
its rows 'received' and the next one to start handles them. On PostgreSQL each live process
holds a session advisory lock on its owner number, so replicas only take over rows of owners
that are gone (claimed FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app.services import Services
from storage.models import InboxState, LineEvent
from storage.repositories._base import Repository

log = logging.getLogger(__name__)

MAX_AGE = timedelta(days=1)
"""Unhandled events older than this are dropped, not handled: the resident has moved on."""

Raw = dict[str, Any]


@dataclass(frozen=True)
class Recorded:
    """An event in the inbox: its place in order, its user, and the event as LINE sent it."""

    seq: int
    user_id: str | None
    raw: Raw


def user_of(raw: Raw) -> str | None:
    """The LINE user an event comes from (None for groups' events without one)."""
    source = raw.get("source")
    return source.get("userId") if isinstance(source, dict) else None


class LineEventRepository(Repository):
    """Rows of line_events."""

    async def record(self, events: Sequence[Raw], owner: int, now: datetime) -> list[Recorded]:
        """Record events for `owner`, in order; those not seen before (by webhookEventId)."""
        new: list[Recorded] = []
        for raw in events:  # one by one: the order of seq is the order of arrival
            stmt = (
                self.insert_on_conflict(LineEvent)
                .values(
                    event_id=str(raw["webhookEventId"]),
                    user_id=user_of(raw),
                    payload=orjson.dumps(raw).decode(),
                    received_at=now,
                    state=InboxState.RECEIVED,
                    owner=owner,
                )
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(LineEvent.seq)
            )
            seq = (await self.session.execute(stmt)).scalar()
            if seq is not None:
                new.append(Recorded(int(seq), user_of(raw), raw))
        return new

    async def mark_done(self, seqs: Sequence[int]) -> None:
        """Handled: keep the id (to recognise a redelivery), forget the payload."""
        if seqs:
            await self.session.execute(
                update(LineEvent)
                .where(LineEvent.seq.in_(list(seqs)))
                .values(state=InboxState.DONE, payload=None)
            )

    async def claim_abandoned(self, owner: int) -> list[Recorded]:
        """Take over the unhandled events of processes that are gone, oldest first."""
        abandoned = LineEvent.owner != owner
        if self.dialect == "postgresql":
            abandoned = abandoned & func.pg_try_advisory_xact_lock(LineEvent.owner)
        chosen = (
            select(LineEvent.seq)
            .where(LineEvent.state == InboxState.RECEIVED, abandoned)
            .order_by(LineEvent.seq)
        )
        if self.dialect == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        claimed = await self.session.execute(
            update(LineEvent)
            .where(LineEvent.seq.in_(chosen.scalar_subquery()))
            .values(owner=owner)
            .returning(LineEvent.seq, LineEvent.user_id, LineEvent.payload)
        )
        found = [Recorded(int(s), u, orjson.loads(p or "{}")) for s, u, p in claimed]
        return sorted(found, key=lambda recorded: recorded.seq)

    async def drop_older_than(self, cutoff: datetime) -> int:
        """Forget every event received before `cutoff`; how many were never handled."""
        states = await self.session.scalars(
            delete(LineEvent).where(LineEvent.received_at < cutoff).returning(LineEvent.state)
        )
        return sum(1 for state in states if state == InboxState.RECEIVED)

    async def unhandled(self) -> list[str]:
        """webhookEventIds of the events recorded and not handled yet, oldest first."""
        stmt = (
            select(LineEvent.event_id)
            .where(LineEvent.state == InboxState.RECEIVED)
            .order_by(LineEvent.seq)
        )
        return list((await self.session.scalars(stmt)).all())


class LineInbox:
    """This process's view of the LINE inbox."""

    def __init__(self, services: Services, max_age: timedelta = MAX_AGE) -> None:
        self.services = services
        self.max_age = max_age
        self.owner = secrets.randbits(62)
        self._alive: AsyncConnection | None = None

    async def open(self) -> None:
        """Show other replicas this process is alive (PostgreSQL: an advisory lock)."""
        if self.services.engine.dialect.name == "postgresql" and self._alive is None:
            connection = await self.services.engine.connect()
            await connection.exec_driver_sql(f"SELECT pg_advisory_lock({self.owner})")
            await connection.commit()
            self._alive = connection

    async def close(self) -> None:
        """Let go of the advisory lock."""
        if self._alive is not None:
            await self._alive.close()
            self._alive = None

    async def record(self, events: Sequence[Raw]) -> list[Recorded]:
        """Record a webhook body's events durably; the new ones, in order."""
        if not events:
            return []
        async with self.services.uow() as uow:
            await uow.begin_write()
            new = await LineEventRepository(uow.session).record(
                events, self.owner, self.services.now()
            )
            await uow.commit()
        return new

    async def recover(self) -> list[Recorded]:
        """Drop what aged out (counted in the log); take over what stopped processes left."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            repository = LineEventRepository(uow.session)
            dropped = await repository.drop_older_than(self.services.now() - self.max_age)
            claimed = await repository.claim_abandoned(self.owner)
            await uow.commit()
        if dropped:
            log.warning("line inbox: dropped %d unhandled events older than %s", dropped, MAX_AGE)
        if claimed:
            log.warning("line inbox: handling %d events a stopped bot left", len(claimed))
        return claimed

    async def done(self, seq: int) -> None:
        """An event was handled."""
        async with self.services.uow() as uow:
            await uow.begin_write()
            await LineEventRepository(uow.session).mark_done([seq])
            await uow.commit()
