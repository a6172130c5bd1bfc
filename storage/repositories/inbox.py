"""The inbox of Telegram updates: recorded before Telegram is told, handled at least once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Table, Text, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql

from storage.models import InboxState, InboxUpdate
from storage.repositories._base import Query, Repository, insert_on_conflict


@dataclass(frozen=True)
class ReceivedUpdate:
    """One update as Telegram sent it: its id, its chat (if any) and its JSON text."""

    update_id: int
    chat_id: int | None
    payload: str


# The inbox's writes as statements built once, for the step lanes (storage/steplane.py,
# storage/pglane.py) as well as for the repository below; on the table, not the mapped class
# (no ORM bulk handling).
INBOX: Table = InboxUpdate.__table__  # type: ignore[assignment]


@cache
def _record_one_query(dialect: str) -> Any:
    return _known_to_me(
        insert_on_conflict(dialect, INBOX).values(
            update_id=bindparam("p_id"),
            chat_id=bindparam("p_chat"),
            payload=bindparam("p_payload"),
            received_at=bindparam("p_at"),
            state=InboxState.RECEIVED,
            owner=bindparam("p_owner"),
        )
    )


def _known_to_me(insert: Any) -> Any:
    """An update known already is left as it is, and counts as new only when this owner
    recorded it and it is not handled: then the first record's answer was lost (a broken
    connection after the commit) and the update was never queued."""
    return insert.on_conflict_do_update(
        index_elements=["update_id"],
        set_={"owner": insert.excluded.owner},
        where=(INBOX.c.owner == insert.excluded.owner) & (INBOX.c.state == InboxState.RECEIVED),
    ).returning(INBOX.c.update_id)


def record_one_statement(received: ReceivedUpdate, owner: int, now: datetime) -> Query:
    """Record one update for `owner` (SQLite: one statement per update, in one transaction);
    returns its id when it is new to the inbox, or recorded by `owner` and not handled."""
    params = {
        "p_id": received.update_id,
        "p_chat": received.chat_id,
        "p_payload": received.payload,
        "p_at": now,
        "p_owner": owner,
    }
    return _record_one_query("sqlite"), params


@cache
def _record_batch_query() -> Any:
    rows = select(
        func.unnest(bindparam("p_ids", type_=postgresql.ARRAY(BigInteger))),
        func.unnest(bindparam("p_chats", type_=postgresql.ARRAY(BigInteger))),
        func.unnest(bindparam("p_payloads", type_=postgresql.ARRAY(Text))),
        bindparam("p_at", type_=INBOX.c.received_at.type),
        bindparam("p_state", type_=INBOX.c.state.type),
        bindparam("p_owner", type_=BigInteger),
    )
    columns = ["update_id", "chat_id", "payload", "received_at", "state", "owner"]
    return _known_to_me(postgresql.insert(INBOX).from_select(columns, rows))


def record_batch_statement(updates: Sequence[ReceivedUpdate], owner: int, now: datetime) -> Query:
    """Record a whole batch for `owner` in one statement (PostgreSQL: arrays unnested, the
    same statement whatever the batch's size); returns the ids new to the inbox, or recorded
    by `owner` and not handled."""
    params = {
        "p_ids": [received.update_id for received in updates],
        "p_chats": [received.chat_id for received in updates],
        "p_payloads": [received.payload for received in updates],
        "p_at": now,
        "p_state": InboxState.RECEIVED.value,
        "p_owner": owner,
    }
    return _record_batch_query(), params


@cache
def _mark_done_query(dialect: str) -> Any:
    if dialect == "postgresql":
        chosen = INBOX.c.update_id == func.any(
            bindparam("p_ids", type_=postgresql.ARRAY(BigInteger))
        )
    else:
        chosen = INBOX.c.update_id.in_(bindparam("p_ids", expanding=True))
    return update(INBOX).where(chosen).values(state=InboxState.DONE, payload=None)


def mark_done_statement(dialect: str, update_ids: Sequence[int]) -> Query:
    """Handled: keep the ids (to recognise a redelivery), forget the payloads."""
    return _mark_done_query(dialect), {"p_ids": list(update_ids)}


class InboxRepository(Repository):
    """Updates recorded, claimed by the live process that handles them, and marked done."""

    async def record(
        self, updates: Sequence[ReceivedUpdate], owner: int, now: datetime
    ) -> set[int]:
        """Record updates for `owner`; the ids new to the inbox, or recorded by `owner` and not
        handled (a known id is left as it is)."""
        if not updates:
            return set()
        if self.dialect == "postgresql":
            statement, params = record_batch_statement(updates, owner, now)
            return {int(i) for i in (await self.session.scalars(statement, params)).all()}
        new = set()
        for received in updates:
            statement, params = record_one_statement(received, owner, now)
            found = (await self.session.execute(statement, params)).scalar()
            if found is not None:
                new.add(int(found))
        return new

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Handled: keep the ids (to recognise a redelivery), forget the payloads."""
        if update_ids:
            await self.session.execute(*mark_done_statement(self.dialect, update_ids))

    async def gone_owners(self, owner: int) -> set[int]:
        """The other owners of unhandled updates that hold no advisory lock at this moment
        (PostgreSQL): processes that are gone, or a live one whose lock's connection broke a
        moment ago and that is about to take its lock again."""
        owners = (
            select(InboxUpdate.owner)
            .where(InboxUpdate.state == InboxState.RECEIVED, InboxUpdate.owner != owner)
            .distinct()
            .subquery()
        )
        free = select(owners.c.owner).where(func.pg_try_advisory_xact_lock(owners.c.owner))
        return {int(found) for found in (await self.session.scalars(free)).all()}

    async def claim_abandoned(
        self, owner: int, among: Collection[int] | None = None
    ) -> list[ReceivedUpdate]:
        """Take over the unhandled updates of processes that are gone (of the owners `among`,
        when given), oldest first.

        On PostgreSQL every live process holds a session advisory lock on its owner number, so
        an owner whose lock can be taken is gone; rows are claimed FOR UPDATE SKIP LOCKED, so
        two processes never take the same one. A SQLite database has one bot process: every
        other owner is a process that is gone."""
        abandoned = InboxUpdate.owner != owner
        if among is not None:
            if not among:
                return []
            abandoned = abandoned & InboxUpdate.owner.in_(list(among))
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
