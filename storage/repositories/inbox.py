"""The durable inbox of both channels: updates recorded before the channel is answered, claimed
by the live process that handles them, marked done, taken over after a crash, dropped when old.

One repository and one set of statements serve every channel's table (an `InboxTable`):
Telegram's inbox_updates, keyed and ordered by update_id, and LINE's line_events, keyed by
webhookEventId and ordered by the seq given on arrival. The tables stay apart because their
dedupe keys differ in type and their order in source (Telegram numbers its updates; LINE's
ids are not ordered), and Telegram's batched record keeps its integer primary key."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Table,
    Text,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxState, InboxUpdate, LineEvent
from storage.repositories._base import Query, Repository, insert_on_conflict

K = TypeVar("K", int, str)
"""A channel's dedupe key: Telegram's update_id, LINE's webhookEventId."""


@dataclass(frozen=True)
class InboxTable(Generic[K]):
    """One channel's inbox table: the columns of its dedupe key, its order and its user."""

    table: Table
    key_name: str
    order_name: str
    user_name: str

    @property
    def key(self) -> Column[Any]:
        """The channel's id of an update, unique: a redelivery is recognised by it."""
        return self.table.c[self.key_name]

    @property
    def order(self) -> Column[Any]:
        """The order updates arrived in (per user, the order they are handled in)."""
        return self.table.c[self.order_name]

    @property
    def user(self) -> Column[Any]:
        """Whom an update comes from (its chat, its LINE user), if anyone."""
        return self.table.c[self.user_name]


# On the tables, not the mapped classes: the statements below are built once (no ORM handling).
TELEGRAM: InboxTable[int] = InboxTable(
    InboxUpdate.__table__,  # type: ignore[arg-type]
    "update_id",
    "update_id",
    "chat_id",
)
LINE: InboxTable[str] = InboxTable(
    LineEvent.__table__,  # type: ignore[arg-type]
    "event_id",
    "seq",
    "user_id",
)


@dataclass(frozen=True)
class ReceivedUpdate(Generic[K]):
    """One update (a Telegram update, a LINE event) as its channel sent it: its dedupe key,
    its user (if any) and its JSON text."""

    key: K
    user: int | str | None
    payload: str


def _known_to_me(inbox: InboxTable[Any], insert: Any) -> Any:
    """An update known already is left as it is, and counts as new only when this owner
    recorded it and it is not handled: then the first record's answer was lost (a broken
    connection after the commit) and the update was never queued."""
    table = inbox.table
    return insert.on_conflict_do_update(
        index_elements=[inbox.key_name],
        set_={"owner": insert.excluded.owner},
        where=(table.c.owner == insert.excluded.owner) & (table.c.state == InboxState.RECEIVED),
    ).returning(inbox.key)


@cache
def _record_one_query(inbox: InboxTable[Any]) -> Any:
    return _known_to_me(
        inbox,
        insert_on_conflict("sqlite", inbox.table).values(
            {
                inbox.key_name: bindparam("p_id"),
                inbox.user_name: bindparam("p_user"),
                "payload": bindparam("p_payload"),
                "received_at": bindparam("p_at"),
                "state": InboxState.RECEIVED,
                "owner": bindparam("p_owner"),
            }
        ),
    )


def record_one_statement(
    received: ReceivedUpdate[K], owner: int, now: datetime, inbox: InboxTable[Any] = TELEGRAM
) -> Query:
    """Record one update for `owner` (SQLite: one statement per update, in one transaction, so
    an update's order is its place in the batch); returns its key when it is new to the inbox,
    or recorded by `owner` and not handled."""
    params = {
        "p_id": received.key,
        "p_user": received.user,
        "p_payload": received.payload,
        "p_at": now,
        "p_owner": owner,
    }
    return _record_one_query(inbox), params


@cache
def _record_batch_query(inbox: InboxTable[Any]) -> Any:
    table = inbox.table
    # unnest in the select list gives the rows in the arrays' order, and a serial order column
    # (LINE's seq) takes its values in the order the rows come
    rows = select(
        func.unnest(bindparam("p_ids", type_=postgresql.ARRAY(inbox.key.type))),
        func.unnest(bindparam("p_users", type_=postgresql.ARRAY(inbox.user.type))),
        func.unnest(bindparam("p_payloads", type_=postgresql.ARRAY(Text))),
        bindparam("p_at", type_=table.c.received_at.type),
        bindparam("p_state", type_=table.c.state.type),
        bindparam("p_owner", type_=BigInteger),
    )
    columns = [inbox.key_name, inbox.user_name, "payload", "received_at", "state", "owner"]
    return _known_to_me(inbox, postgresql.insert(table).from_select(columns, rows))


def record_batch_statement(
    updates: Sequence[ReceivedUpdate[K]],
    owner: int,
    now: datetime,
    inbox: InboxTable[Any] = TELEGRAM,
) -> Query:
    """Record a whole batch for `owner` in one statement (PostgreSQL: arrays unnested, the
    same statement whatever the batch's size); returns the keys new to the inbox, or recorded
    by `owner` and not handled."""
    params = {
        "p_ids": [received.key for received in updates],
        "p_users": [received.user for received in updates],
        "p_payloads": [received.payload for received in updates],
        "p_at": now,
        "p_state": InboxState.RECEIVED.value,
        "p_owner": owner,
    }
    return _record_batch_query(inbox), params


@cache
def _mark_done_query(inbox: InboxTable[Any], dialect: str) -> Any:
    if dialect == "postgresql":
        chosen = inbox.key == func.any(bindparam("p_ids", type_=postgresql.ARRAY(inbox.key.type)))
    else:
        chosen = inbox.key.in_(bindparam("p_ids", expanding=True))
    return update(inbox.table).where(chosen).values(state=InboxState.DONE, payload=None)


def mark_done_statement(
    dialect: str, keys: Sequence[K], inbox: InboxTable[Any] = TELEGRAM
) -> Query:
    """Handled: keep the keys (to recognise a redelivery), forget the payloads."""
    return _mark_done_query(inbox, dialect), {"p_ids": list(keys)}


class InboxRepository(Repository, Generic[K]):
    """A channel's updates recorded, claimed by the live process that handles them, and marked
    done (Telegram's unless another table is given)."""

    def __init__(self, session: AsyncSession, inbox: InboxTable[Any] = TELEGRAM) -> None:
        super().__init__(session)
        self.inbox: InboxTable[K] = inbox

    async def record(
        self, updates: Sequence[ReceivedUpdate[K]], owner: int, now: datetime
    ) -> set[K]:
        """Record updates for `owner`, in order; the keys new to the inbox, or recorded by
        `owner` and not handled (a known key is left as it is)."""
        if not updates:
            return set()
        if self.dialect == "postgresql":
            statement, params = record_batch_statement(updates, owner, now, self.inbox)
            return set((await self.session.scalars(statement, params)).all())
        new = set()
        for received in updates:
            statement, params = record_one_statement(received, owner, now, self.inbox)
            found = (await self.session.execute(statement, params)).scalar()
            if found is not None:
                new.add(found)
        return new

    async def mark_done(self, keys: Sequence[K]) -> None:
        """Handled: keep the keys (to recognise a redelivery), forget the payloads."""
        if keys:
            await self.session.execute(*mark_done_statement(self.dialect, keys, self.inbox))

    async def gone_owners(self, owner: int) -> set[int]:
        """The other owners of unhandled updates that hold no advisory lock at this moment
        (PostgreSQL): processes that are gone, or a live one whose lock's connection broke a
        moment ago and that is about to take its lock again."""
        table = self.inbox.table
        owners = (
            select(table.c.owner)
            .where(table.c.state == InboxState.RECEIVED, table.c.owner != owner)
            .distinct()
            .subquery()
        )
        free = select(owners.c.owner).where(func.pg_try_advisory_xact_lock(owners.c.owner))
        return {int(found) for found in (await self.session.scalars(free)).all()}

    async def claim_abandoned(
        self, owner: int, among: Collection[int] | None = None
    ) -> list[ReceivedUpdate[K]]:
        """Take over the unhandled updates of processes that are gone (of the owners `among`,
        when given), in the order they arrived.

        On PostgreSQL every live process holds a session advisory lock on its owner number, so
        an owner whose lock can be taken is gone; rows are claimed FOR UPDATE SKIP LOCKED, so
        two processes never take the same one. A SQLite database has one bot process: every
        other owner is a process that is gone."""
        inbox, table = self.inbox, self.inbox.table
        abandoned = table.c.owner != owner
        if among is not None:
            if not among:
                return []
            abandoned = abandoned & table.c.owner.in_(list(among))
        if self.dialect == "postgresql":
            abandoned = abandoned & func.pg_try_advisory_xact_lock(table.c.owner)
        chosen = select(inbox.order).where(table.c.state == InboxState.RECEIVED, abandoned)
        if self.dialect == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        claimed = await self.session.execute(
            update(table)
            .where(inbox.order.in_(chosen.scalar_subquery()))
            .values(owner=owner)
            .returning(inbox.order, inbox.key, inbox.user, table.c.payload)
        )
        rows = sorted(claimed, key=lambda row: row[0])
        return [ReceivedUpdate(key, user, payload or "{}") for _, key, user, payload in rows]

    async def drop_older_than(self, cutoff: datetime) -> int:
        """Forget every update received before `cutoff`; how many were never handled."""
        table = self.inbox.table
        states = await self.session.scalars(
            delete(table).where(table.c.received_at < cutoff).returning(table.c.state)
        )
        return sum(1 for state in states if state == InboxState.RECEIVED)

    async def unhandled(self) -> list[K]:
        """Keys of the updates recorded and not handled yet, in the order they arrived."""
        table = self.inbox.table
        stmt = (
            select(self.inbox.key)
            .where(table.c.state == InboxState.RECEIVED)
            .order_by(self.inbox.order)
        )
        return list((await self.session.scalars(stmt)).all())
