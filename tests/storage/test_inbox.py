"""The inbox of Telegram updates, on SQLite and PostgreSQL: recorded once, claimed once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import UnitOfWork
from storage.lanes import step_lane_for
from storage.models import InboxUpdate
from storage.pglane import PostgresInboxLane
from storage.repositories.inbox import InboxRepository, ReceivedUpdate
from storage.steplane import SqliteInboxLane, StepLane
from tests.builders import NOW

Uow = Callable[[], UnitOfWork]
GONE, ALIVE, ME = 11, 22, 33


def received(*update_ids: int) -> list[ReceivedUpdate]:
    """Updates of chat 500 with a small JSON payload."""
    return [ReceivedUpdate(i, 500, f'{{"update_id": {i}}}') for i in update_ids]


async def record(uow_factory: Uow, updates: list[ReceivedUpdate], owner: int) -> set[int]:
    """Record in a transaction of its own; the new ids."""
    async with uow_factory() as uow:
        await uow.begin_write()
        new = await InboxRepository(uow.session).record(updates, owner, NOW)
        await uow.commit()
    return new


async def claim(uow_factory: Uow, owner: int) -> list[int]:
    """Claim what gone processes left, in a transaction of its own; the ids claimed."""
    async with uow_factory() as uow:
        await uow.begin_write()
        claimed = await InboxRepository(uow.session).claim_abandoned(owner)
        await uow.commit()
    return [update.update_id for update in claimed]


async def test_an_update_delivered_again_is_recognised_and_not_recorded_twice(
    uow_factory: Uow,
) -> None:
    assert await record(uow_factory, received(1, 2), GONE) == {1, 2}
    assert await record(uow_factory, received(2, 3), ALIVE) == {3}
    async with uow_factory() as uow:
        repository = InboxRepository(uow.session)
        assert await repository.unhandled() == [1, 2, 3]
        await uow.begin_write()
        await repository.mark_done([2])
        await uow.commit()
    assert await record(uow_factory, received(2), ME) == set()
    async with uow_factory() as uow:
        assert await InboxRepository(uow.session).unhandled() == [1, 3]
        payload = await uow.session.scalar(
            select(InboxUpdate.payload).where(InboxUpdate.update_id == 2)
        )
    assert payload is None, "a handled update keeps no message text"


async def test_a_record_whose_answer_was_lost_gives_its_updates_again_to_the_same_owner(
    uow_factory: Uow,
) -> None:
    assert await record(uow_factory, received(1, 2), ME) == {1, 2}
    async with uow_factory() as uow:
        await uow.begin_write()
        await InboxRepository(uow.session).mark_done([1])
        await uow.commit()
    # the commit went through but its answer was lost: the same batch is recorded again
    assert await record(uow_factory, received(1, 2, 3), ME) == {2, 3}
    assert await record(uow_factory, received(2, 3), ALIVE) == set()
    async with uow_factory() as uow:
        assert await InboxRepository(uow.session).unhandled() == [2, 3]


async def test_what_a_gone_process_left_unhandled_is_claimed_once_in_order(
    uow_factory: Uow,
) -> None:
    await record(uow_factory, received(7, 3, 5), GONE)
    await record(uow_factory, received(9), ME)
    async with uow_factory() as uow:
        await uow.begin_write()
        await InboxRepository(uow.session).mark_done([5])
        await uow.commit()
    async with uow_factory() as uow:
        await uow.begin_write()
        claimed = await InboxRepository(uow.session).claim_abandoned(ME)
        await uow.commit()
    assert claimed == [
        ReceivedUpdate(3, 500, '{"update_id": 3}'),
        ReceivedUpdate(7, 500, '{"update_id": 7}'),
    ]
    assert await claim(uow_factory, ME) == []


async def test_updates_older_than_the_limit_are_dropped_and_the_unhandled_counted(
    uow_factory: Uow,
) -> None:
    await record(uow_factory, received(1, 2, 3), GONE)
    async with uow_factory() as uow:
        repository = InboxRepository(uow.session)
        await uow.begin_write()
        await repository.mark_done([1])
        assert await repository.drop_older_than(NOW) == 0
        assert await repository.drop_older_than(NOW + timedelta(seconds=1)) == 2
        await uow.commit()
    assert await record(uow_factory, received(1), ME) == {1}
    assert await claim(uow_factory, ME) == []


async def hold(engine: AsyncEngine, owner: int) -> AsyncConnection:
    """A live process: a connection holding the owner's session advisory lock."""
    connection = await engine.connect()
    await connection.execute(text("SELECT pg_advisory_lock(:owner)"), {"owner": owner})
    return connection


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_replicas_never_claim_a_live_replicas_updates_nor_the_same_one_twice(
    uow_factory: Uow, engine: AsyncEngine
) -> None:
    await record(uow_factory, received(*range(1, 41)), GONE)
    await record(uow_factory, received(41, 42), ALIVE)
    alive = [await hold(engine, owner) for owner in (ALIVE, ME, 44, 55)]
    try:
        first, second = await asyncio.gather(claim(uow_factory, ME), claim(uow_factory, 44))
        assert sorted(first + second) == list(range(1, 41))
        assert await claim(uow_factory, 55) == []
        await alive[0].invalidate()  # the replica dies: its connection is gone
        assert await claim(uow_factory, 55) == [41, 42]
    finally:
        for connection in alive:
            await connection.close()


async def test_the_step_lane_records_a_batch_and_marks_it_done_as_the_repository_does(
    uow_factory: Uow, engine: AsyncEngine
) -> None:
    lane = step_lane_for(engine)
    assert lane is not None, "a database file or PostgreSQL has a step lane"
    writes = SqliteInboxLane(lane) if isinstance(lane, StepLane) else PostgresInboxLane(lane)
    try:
        assert await writes.record(received(1, 2, 3), ME, NOW) == {1, 2, 3}
        assert await writes.record(received(3, 4), ALIVE, NOW) == {4}
        await writes.mark_done([1, 3])
        assert await writes.record(received(1, 2, 3), ME, NOW) == {2}, "a lost answer"
    finally:
        await lane.close()
    async with uow_factory() as uow:
        repository = InboxRepository(uow.session)
        assert await repository.unhandled() == [2, 4]
        columns = (InboxUpdate.owner, InboxUpdate.received_at, InboxUpdate.payload)
        rows = (await uow.session.execute(select(*columns).order_by(InboxUpdate.update_id))).all()
    assert [(owner, at) for owner, at, _ in rows] == [(ME, NOW)] * 3 + [(ALIVE, NOW)]
    assert [payload for _, _, payload in rows] == [
        None,
        '{"update_id": 2}',
        None,
        '{"update_id": 4}',
    ]
