"""The one inbox of both channels (Telegram updates, LINE events), on SQLite and PostgreSQL:
recorded once, claimed once, in the order they arrived, dropped when old."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import UnitOfWork
from storage.lanes import step_lane_for
from storage.models import InboxUpdate
from storage.pglane import PostgresInboxLane
from storage.repositories.inbox import LINE, TELEGRAM, InboxRepository, InboxTable, ReceivedUpdate
from storage.steplane import SqliteInboxLane, StepLane
from tests.builders import NOW

Uow = Callable[[], UnitOfWork]
GONE, ALIVE, ME = 11, 22, 33


@dataclass(frozen=True)
class Channel:
    """A channel's inbox table and how its n-th update (the n-th to arrive) is keyed."""

    name: str
    table: InboxTable[Any]
    key: Callable[[int], Any]
    user: Callable[[int], Any]

    def updates(self, *numbers: int, user: int = 1) -> list[ReceivedUpdate[Any]]:
        """The updates numbered `numbers`, of one user, with a small JSON payload."""
        return [ReceivedUpdate(self.key(n), self.user(user), f'{{"n": {n}}}') for n in numbers]

    def keys(self, *numbers: int) -> list[Any]:
        """The keys of updates by number."""
        return [self.key(n) for n in numbers]


CHANNELS = [
    Channel("telegram", TELEGRAM, lambda n: n, lambda user: 500 + user),
    # LINE's webhookEventIds say nothing of order: these sort the other way round
    Channel("line", LINE, lambda n: f"01J{1000 - n:023d}", lambda user: f"U{user:032x}"),
]


@pytest.fixture(params=CHANNELS, ids=lambda channel: channel.name)
def channel(request: pytest.FixtureRequest) -> Channel:
    """The channel whose inbox is under test."""
    return request.param  # type: ignore[no-any-return]


async def record(
    uow_factory: Uow, channel: Channel, updates: list[ReceivedUpdate[Any]], owner: int
) -> set[Any]:
    """Record in a transaction of its own; the new keys."""
    async with uow_factory() as uow:
        await uow.begin_write()
        new = await InboxRepository(uow.session, channel.table).record(updates, owner, NOW)
        await uow.commit()
    return new


async def mark_done(uow_factory: Uow, channel: Channel, *numbers: int) -> None:
    """Mark updates handled, in a transaction of its own."""
    async with uow_factory() as uow:
        await uow.begin_write()
        await InboxRepository(uow.session, channel.table).mark_done(channel.keys(*numbers))
        await uow.commit()


async def claim(uow_factory: Uow, channel: Channel, owner: int) -> list[Any]:
    """Claim what gone processes left, in a transaction of its own; the keys claimed."""
    async with uow_factory() as uow:
        await uow.begin_write()
        claimed = await InboxRepository(uow.session, channel.table).claim_abandoned(owner)
        await uow.commit()
    return [update.key for update in claimed]


async def unhandled(uow_factory: Uow, channel: Channel) -> list[Any]:
    """Keys recorded and not handled, in the order they arrived."""
    async with uow_factory() as uow:
        return await InboxRepository(uow.session, channel.table).unhandled()


async def payload_of(uow_factory: Uow, channel: Channel, number: int) -> str | None:
    """The stored JSON text of an update."""
    table = channel.table
    async with uow_factory() as uow:
        stored = await uow.session.scalar(
            select(table.table.c.payload).where(table.key == channel.key(number))
        )
    return None if stored is None else str(stored)


async def test_an_update_delivered_again_is_recognised_and_not_recorded_twice(
    uow_factory: Uow, channel: Channel
) -> None:
    k = channel.keys
    assert await record(uow_factory, channel, channel.updates(1, 2), GONE) == set(k(1, 2))
    assert await record(uow_factory, channel, channel.updates(2, 3), ALIVE) == set(k(3))
    assert await unhandled(uow_factory, channel) == k(1, 2, 3)
    await mark_done(uow_factory, channel, 2)
    assert await record(uow_factory, channel, channel.updates(2), ME) == set()
    assert await unhandled(uow_factory, channel) == k(1, 3)
    assert await payload_of(uow_factory, channel, 2) is None, "a handled one keeps no text"
    assert await payload_of(uow_factory, channel, 3) == '{"n": 3}'


async def test_a_record_whose_answer_was_lost_gives_its_updates_again_to_the_same_owner(
    uow_factory: Uow, channel: Channel
) -> None:
    k = channel.keys
    assert await record(uow_factory, channel, channel.updates(1, 2), ME) == set(k(1, 2))
    await mark_done(uow_factory, channel, 1)
    # the commit went through but its answer was lost: the same batch is recorded again
    assert await record(uow_factory, channel, channel.updates(1, 2, 3), ME) == set(k(2, 3))
    assert await record(uow_factory, channel, channel.updates(2, 3), ALIVE) == set()
    assert await unhandled(uow_factory, channel) == k(2, 3)


async def test_what_a_gone_process_left_unhandled_is_claimed_once_in_order_of_arrival(
    uow_factory: Uow, channel: Channel
) -> None:
    # two users' updates interleaved, in batches: each user's come back in their order
    await record(uow_factory, channel, channel.updates(1, 3, user=1), GONE)
    await record(uow_factory, channel, channel.updates(4, user=2), GONE)
    await record(uow_factory, channel, channel.updates(5, 6, user=1), GONE)
    await record(uow_factory, channel, channel.updates(9, user=2), ME)
    await mark_done(uow_factory, channel, 5)
    async with uow_factory() as uow:
        await uow.begin_write()
        claimed = await InboxRepository(uow.session, channel.table).claim_abandoned(ME)
        await uow.commit()
    assert claimed == [
        *channel.updates(1, 3, user=1),
        *channel.updates(4, user=2),
        *channel.updates(6, user=1),
    ]
    assert await claim(uow_factory, channel, ME) == []
    assert await unhandled(uow_factory, channel) == channel.keys(1, 3, 4, 6, 9)


async def test_a_long_batch_keeps_its_order(uow_factory: Uow, channel: Channel) -> None:
    numbers = list(range(1, 61))
    await record(uow_factory, channel, channel.updates(*numbers), GONE)
    assert await claim(uow_factory, channel, ME) == channel.keys(*numbers)


async def test_an_update_never_marked_done_is_not_lost(uow_factory: Uow, channel: Channel) -> None:
    # the handler failed on 2 (no done mark): the next process to start takes it over
    await record(uow_factory, channel, channel.updates(1, 2, 3), GONE)
    await mark_done(uow_factory, channel, 1, 3)
    assert await claim(uow_factory, channel, ME) == channel.keys(2)
    assert await payload_of(uow_factory, channel, 2) == '{"n": 2}'


async def test_updates_older_than_the_limit_are_dropped_and_the_unhandled_counted(
    uow_factory: Uow, channel: Channel
) -> None:
    await record(uow_factory, channel, channel.updates(1, 2, 3), GONE)
    await mark_done(uow_factory, channel, 1)
    async with uow_factory() as uow:
        repository = InboxRepository(uow.session, channel.table)
        await uow.begin_write()
        assert await repository.drop_older_than(NOW) == 0
        assert await repository.drop_older_than(NOW + timedelta(seconds=1)) == 2
        await uow.commit()
    assert await record(uow_factory, channel, channel.updates(1), ME) == set(channel.keys(1))
    assert await claim(uow_factory, channel, ME) == []


async def test_the_channels_keep_to_their_own_inbox(uow_factory: Uow) -> None:
    telegram, line = CHANNELS
    await record(uow_factory, telegram, telegram.updates(1, 2), GONE)
    await record(uow_factory, line, line.updates(1), GONE)
    assert await claim(uow_factory, line, ME) == line.keys(1)
    assert await unhandled(uow_factory, telegram) == telegram.keys(1, 2)


async def hold(engine: AsyncEngine, owner: int) -> AsyncConnection:
    """A live process: a connection holding the owner's session advisory lock."""
    connection = await engine.connect()
    await connection.execute(text("SELECT pg_advisory_lock(:owner)"), {"owner": owner})
    return connection


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_replicas_never_claim_a_live_replicas_updates_nor_the_same_one_twice(
    uow_factory: Uow, engine: AsyncEngine, channel: Channel
) -> None:
    await record(uow_factory, channel, channel.updates(*range(1, 41)), GONE)
    await record(uow_factory, channel, channel.updates(41, 42), ALIVE)
    alive = [await hold(engine, owner) for owner in (ALIVE, ME, 44, 55)]
    try:
        async with uow_factory() as uow:
            gone = await InboxRepository(uow.session, channel.table).gone_owners(ME)
            await uow.commit()
        assert gone == {GONE}
        first, second = await asyncio.gather(
            claim(uow_factory, channel, ME), claim(uow_factory, channel, 44)
        )
        assert sorted(first + second) == sorted(channel.keys(*range(1, 41)))
        assert first == sorted(first, key=channel.keys(*range(1, 41)).index)
        assert await claim(uow_factory, channel, 55) == []
        await alive[0].invalidate()  # the replica dies: its connection is gone
        assert await claim(uow_factory, channel, 55) == channel.keys(41, 42)
    finally:
        for connection in alive:
            await connection.close()


async def test_the_step_lane_records_a_batch_and_marks_it_done_as_the_repository_does(
    uow_factory: Uow, engine: AsyncEngine
) -> None:
    telegram = CHANNELS[0]
    lane = step_lane_for(engine)
    assert lane is not None, "a database file or PostgreSQL has a step lane"
    writes = SqliteInboxLane(lane) if isinstance(lane, StepLane) else PostgresInboxLane(lane)
    try:
        assert await writes.record(telegram.updates(1, 2, 3), ME, NOW) == {1, 2, 3}
        assert await writes.record(telegram.updates(3, 4), ALIVE, NOW) == {4}
        await writes.mark_done([1, 3])
        assert await writes.record(telegram.updates(1, 2, 3), ME, NOW) == {2}, "a lost answer"
    finally:
        await lane.close()
    assert await unhandled(uow_factory, telegram) == [2, 4]
    async with uow_factory() as uow:
        columns = (InboxUpdate.owner, InboxUpdate.received_at, InboxUpdate.payload)
        rows = (await uow.session.execute(select(*columns).order_by(InboxUpdate.update_id))).all()
    assert [(owner, at) for owner, at, _ in rows] == [(ME, NOW)] * 3 + [(ALIVE, NOW)]
    assert [payload for _, _, payload in rows] == [None, '{"n": 2}', None, '{"n": 4}']
