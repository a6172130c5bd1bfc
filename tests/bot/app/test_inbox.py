"""The bot's inbox for both channels (Telegram updates, LINE events) on SQLite and PostgreSQL:
updates recorded once, marked done in batches, handled after a restart in order, and a live
replica's updates never taken over, even when its lock's connection breaks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select
from telegram import Update

from bot.app.inbox import DurableInbox, Raw
from bot.app.services import Services
from bot.line.events import LineInbox, Recorded
from bot.telegram.inbox import Inbox
from storage.models import InboxState
from storage.repositories.inbox import InboxRepository

BOTH = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
AnyInbox = DurableInbox[Any, Any]


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


def line_key(number: int) -> str:
    """The webhookEventId of the n-th event (these sort against the order of arrival)."""
    return f"01J{1000 - number:023d}"


def line_number(key: str) -> int:
    """The number of the event with this webhookEventId."""
    return 1000 - int(key[3:])


def postbacks(*numbers: int, user: str = "U" + "a" * 32) -> list[Raw]:
    """Postbacks of one LINE user, as LINE sends them."""
    return [
        {
            "type": "postback",
            "mode": "active",
            "timestamp": 1_700_000_000_000 + number,
            "source": {"type": "user", "userId": user},
            "webhookEventId": line_key(number),
            "deliveryContext": {"isRedelivery": False},
            "replyToken": f"token-{number}",
            "postback": {"data": "A:1"},
        }
        for number in numbers
    ]


@dataclass(frozen=True)
class Channel:
    """A channel's inbox, its updates by number, and the number of what its inbox hands on."""

    name: str
    inbox: Callable[[Services], AnyInbox]
    updates: Callable[..., list[Raw]]
    key: Callable[[int], Any]
    number: Callable[[Any], int]
    """The number of an update from its key."""
    number_of: Callable[[Any], int]


CHANNELS = [
    Channel("telegram", Inbox, taps, int, int, lambda raw: int(raw["update_id"])),
    Channel("line", LineInbox, postbacks, line_key, line_number, lambda got: line_number(got.key)),
]


@pytest.fixture(params=CHANNELS, ids=lambda channel: channel.name)
def channel(request: pytest.FixtureRequest) -> Channel:
    """The channel whose inbox is under test."""
    return request.param  # type: ignore[no-any-return]


def numbers(channel: Channel, handed_on: list[Any]) -> list[int]:
    """The numbers of the updates an inbox handed on, in its order."""
    return [channel.number_of(item) for item in handed_on]


async def unhandled(services: Services, inbox: AnyInbox, channel: Channel) -> list[int]:
    """Numbers recorded and not marked done, in the order they arrived."""
    async with services.uow() as uow:
        keys = await InboxRepository(uow.session, inbox.inbox).unhandled()
    return [channel.number(key) for key in keys]


async def owners(services: Services, inbox: AnyInbox) -> set[int]:
    """The owners of the unhandled updates."""
    table = inbox.inbox.table
    async with services.uow() as uow:
        stmt = select(table.c.owner).where(table.c.state == InboxState.RECEIVED).distinct()
        return {int(owner) for owner in (await uow.session.scalars(stmt)).all()}


async def cut_lock_connection(services: Services, inbox: AnyInbox) -> None:
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
async def test_a_batch_is_queued_once_and_marked_done_once_handled(
    bot_services: Services, channel: Channel
) -> None:
    inbox = channel.inbox(bot_services)
    updates, key = channel.updates, channel.key
    await inbox.open()
    try:
        assert numbers(channel, await inbox.record(updates(1, 2, 3))) == [1, 2, 3]
        assert numbers(channel, await inbox.record(updates(2, 3, 4))) == [4], "2, 3 again"
        for number in (1, 2, 3):
            inbox.mark_handled(key(number))
        assert numbers(channel, await inbox.record(updates(5))) == [5], "marks ride along"
        assert await unhandled(bot_services, inbox, channel) == [4, 5]
        inbox.mark_handled(key(4))
        await inbox.flush()
        assert await unhandled(bot_services, inbox, channel) == [5]
        assert await inbox.record(updates(1, 4)) == [], "handled already"
        assert numbers(channel, await inbox.record(updates(6, 6))) == [6], "twice in one batch"
    finally:
        await inbox.close()


@pytest.mark.parametrize("backend", BOTH, indirect=True)
async def test_what_the_channel_hands_on_is_the_update_as_it_came(bot_services: Services) -> None:
    telegram, line = Inbox(bot_services), LineInbox(bot_services)
    assert await telegram.record(taps(1)) == taps(1)
    telegram.handled(Update(1))  # python-telegram-bot's callback
    await telegram.flush()
    assert await telegram.record(taps(1)) == []
    assert await line.record(postbacks(1)) == [
        Recorded(line_key(1), "U" + "a" * 32, postbacks(1)[0])
    ]
    await line.done(line_key(1))  # LINE's handler stores its mark at once
    assert await unhandled(bot_services, line, CHANNELS[1]) == []
    await telegram.close()
    await line.close()


@pytest.mark.parametrize("backend", BOTH, indirect=True)
async def test_a_restarted_bot_handles_what_the_stopped_one_left_in_order(
    bot_services: Services, channel: Channel
) -> None:
    stopped = channel.inbox(bot_services)
    await stopped.open()
    await stopped.record(channel.updates(5, 6))
    await stopped.record(channel.updates(7))
    stopped.mark_handled(channel.key(6))  # 5 and 7: the handler failed, or the bot died
    await stopped.flush()
    await stopped.close()  # as a killed process's lock goes with its connection
    restarted = channel.inbox(bot_services)
    restarted.grace = 0.05
    await restarted.open()
    try:
        assert numbers(channel, await restarted.recover()) == [5, 7]
        assert await restarted.recover() == []
        assert await restarted.record(channel.updates(5)) == [], "in hand: not queued twice"
    finally:
        await restarted.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_replica_that_lost_its_lock_connection_keeps_its_updates(
    bot_services: Services, channel: Channel
) -> None:
    live, other = channel.inbox(bot_services), channel.inbox(bot_services)
    await live.open()
    await other.open()
    try:
        await live.record(channel.updates(11, 12))
        await cut_lock_connection(bot_services, live)
        assert await other.take_over() == [], "a lock free at one sweep is not enough"
        await live.keep_alive()  # within a keep-alive period: the lock is taken again
        assert live._alive is not None
        assert await other.take_over() == []
        assert await other.take_over() == []
        assert await owners(bot_services, live) == {live.owner}
        await cut_lock_connection(bot_services, live)  # and now the replica is gone for good
        assert await other.take_over() == []
        assert numbers(channel, await other.take_over()) == [11, 12]
        assert await owners(bot_services, live) == {other.owner}
    finally:
        if live._alive is not None:
            await live._alive.invalidate()  # the cut connection
            live._alive = None
        await live.close()
        await other.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_the_sweep_hands_on_what_a_replica_gone_for_good_left(
    bot_services: Services, channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.app.inbox.KEEP_ALIVE_SECONDS", 0.01)
    monkeypatch.setattr("bot.app.inbox.SWEEP_SECONDS", 0.0)
    gone, live = channel.inbox(bot_services), channel.inbox(bot_services)
    await gone.open()
    await gone.record(channel.updates(3, 4))
    await gone.close()
    await live.open()
    handed: asyncio.Queue[list[Any]] = asyncio.Queue()
    sweeping = asyncio.create_task(live.watch(handed.put))
    try:
        async with asyncio.timeout(30):
            while not (batch := await handed.get()):
                pass
        assert numbers(channel, batch) == [3, 4]
        assert await owners(bot_services, live) == {live.owner}
    finally:
        sweeping.cancel()
        await asyncio.gather(sweeping, return_exceptions=True)
        await live.close()
