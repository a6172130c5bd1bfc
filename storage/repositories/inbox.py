"""The inbox of Telegram updates: recorded before Telegram is told, handled at least once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from storage.models import InboxState, InboxUpdate
from storage.repositories._base import Repository


@dataclass(frozen=True)
class ReceivedUpdate:
    """One update as Telegram sent it: its id, its chat (if any) and its JSON text."""

    update_id: int
    chat_id: int | None
    payload: str


class InboxRepository(Repository):
    """Updates recorded, claimed by the live process that handles them, and marked done."""

    async def record(
        self, updates: Sequence[ReceivedUpdate], owner: int, now: datetime
    ) -> set[int]:
        """Record updates for `owner`; the ids that were new (a known id is left as it is)."""
        if not updates:
            return set()
        rows = [
            {
                "update_id": received.update_id,
                "chat_id": received.chat_id,
                "payload": received.payload,
                "received_at": now,
                "state": InboxState.RECEIVED,
                "owner": owner,
            }
            for received in updates
        ]
        stmt = (
            self.insert_on_conflict(InboxUpdate)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(InboxUpdate.update_id)
        )
        return set((await self.session.scalars(stmt)).all())

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Handled: keep the id (to recognise a redelivery), forget the payload."""
        if update_ids:
            await self.session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.update_id.in_(update_ids))
                .values(state=InboxState.DONE, payload=None)
            )

    async def claim_abandoned(self, owner: int) -> list[ReceivedUpdate]:
        """Take over the unhandled updates of processes that are gone, oldest first.

        On PostgreSQL every live process holds a session advisory lock on its owner number, so
        an owner whose lock can be taken is gone; rows are claimed FOR UPDATE SKIP LOCKED, so
        two processes never take the same one. A SQLite database has one bot process: every
        other owner is a process that is gone."""
        abandoned = InboxUpdate.owner != owner
        if self.dialect == "postgresql":
            abandoned = abandoned & func.pg_try_advisory_xact_lock(InboxUpdate.owner)
        chosen = (
            select(InboxUpdate.update_id)
            .where(InboxUpdate.state == InboxState.RECEIVED, abandoned)
            .order_by(InboxUpdate.update_id)
        )
        if self.dialect == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        claimed = await self.session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.update_id.in_(chosen.scalar_subquery()))
            .values(owner=owner)
            .returning(InboxUpdate.update_id, InboxUpdate.chat_id, InboxUpdate.payload)
        )
        found = [ReceivedUpdate(uid, chat, payload or "{}") for uid, chat, payload in claimed]
        return sorted(found, key=lambda received: received.update_id)

    async def drop_older_than(self, cutoff: datetime) -> int:
        """Forget every update received before `cutoff`; how many were never handled."""
        states = await self.session.scalars(
            delete(InboxUpdate).where(InboxUpdate.received_at < cutoff).returning(InboxUpdate.state)
        )
        return sum(1 for state in states if state == InboxState.RECEIVED)

    async def unhandled(self) -> list[int]:
        """Ids of the updates recorded and not handled yet, oldest first."""
        stmt = (
            select(InboxUpdate.update_id)
            .where(InboxUpdate.state == InboxState.RECEIVED)
            .order_by(InboxUpdate.update_id)
        )
        return list((await self.session.scalars(stmt)).all())
