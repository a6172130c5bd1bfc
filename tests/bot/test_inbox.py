"""The bot's inbox on SQLite and PostgreSQL: updates recorded once, marked done in batches, and
a live replica's updates never taken over, even when its lock's connection breaks."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from telegram import Update

from bot.app.services import Services
from bot.telegram.inbox import Inbox, Raw
from storage.repositories.inbox import InboxRepository

BOTH = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def taps(*update_ids: int, chat: int = 700) -> list[Raw]:
    """Button taps of one chat, as Telegram sends them."""
    return [
        {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": {"id": chat, "is_bot": False, "first_name": "R"},
                "chat_instance": "c",
                "data": "A:1",
                "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}},
            },
        }
        for update_id in update_ids
    ]


async def unhandled(services: Services) -> list[int]:
    """Ids recorded and not marked done, oldest first."""
    async with services.uow() as uow:
        return await InboxRepository(uow.session).unhandled()


async def owners(services: Services) -> set[int]:
    """The owners of the unhandled updates."""
    async with services.uow() as uow:
        rows = await uow.session.execute(
            text("SELECT DISTINCT owner FROM inbox_updates WHERE state = 'received'")
        )
        return {int(owner) for (owner,) in rows}


async def cut_lock_connection(services: Services, inbox: Inbox) -> None:
    """The server drops the connection that holds this inbox's lock (as a restart would)."""
    assert inbox._alive is not None
    raw = await inbox._alive.get_raw_connection()
    pid = raw.driver_connection.get_server_pid()  # type: ignore[union-attr]
    dsn = services.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        assert await connection.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()


@pytest.mark.parametrize("backend", BOTH, indirect=True)
async def test_a_batch_is_queued_once_and_marked_done_once_handled(bot_services: Services) -> None:
    inbox = Inbox(bot_services)
    await inbox.open()
    try:
        assert [raw["update_id"] for raw in await inbox.record(taps(1, 2, 3))] == [1, 2, 3]
        assert await inbox.record(taps(2, 3, 4)) == taps(4), "Telegram delivered 2 and 3 again"
        for update_id in (1, 2, 3):
            inbox.handled(Update(update_id))
        assert await inbox.record(taps(5)) == taps(5), "its marks ride along with the next batch"
        assert await unhandled(bot_services) == [4, 5]
        inbox.handled(Update(4))
        await inbox.flush()
        assert await unhandled(bot_services) == [5]
        assert await inbox.record(taps(1, 4)) == [], "handled already"
    finally:
        await inbox.close()


@pytest.mark.parametrize("backend", BOTH, indirect=True)
async def test_a_restarted_bot_handles_what_the_stopped_one_left_in_order(
    bot_services: Services,
) -> None:
    stopped = Inbox(bot_services)
    await stopped.open()
    await stopped.record(taps(5, 6, 7))
    stopped.handled(Update(6))
    await stopped.flush()
    await stopped.close()  # as a killed process's lock goes with its connection
    restarted = Inbox(bot_services)
    restarted.grace = 0.05
    await restarted.open()
    try:
        assert [raw["update_id"] for raw in await restarted.recover()] == [5, 7]
        assert await restarted.recover() == []
    finally:
        await restarted.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_replica_that_lost_its_lock_connection_keeps_its_updates(
    bot_services: Services,
) -> None:
    live, other = Inbox(bot_services), Inbox(bot_services)
    await live.open()
    await other.open()
    try:
        await live.record(taps(11, 12))
        await cut_lock_connection(bot_services, live)
        assert await other.take_over() == [], "a lock free at one sweep is not enough"
        await live.keep_alive()  # within a keep-alive period: the lock is taken again
        assert live._alive is not None
        assert await other.take_over() == []
        assert await other.take_over() == []
        assert await owners(bot_services) == {live.owner}
        await cut_lock_connection(bot_services, live)  # and now the replica is gone for good
        assert await other.take_over() == []
        claimed = await other.take_over()
        assert [raw["update_id"] for raw in claimed] == [11, 12]
        assert await owners(bot_services) == {other.owner}
    finally:
        if live._alive is not None:
            await live._alive.invalidate()  # the cut connection
            live._alive = None
        await live.close()
        await other.close()
