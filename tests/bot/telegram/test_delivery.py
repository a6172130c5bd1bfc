"""Telegram's Delivery against the Bot API stand-in: a screen arrives as HTML with its button,
and each failure reaches the sender as bot.app.delivery's channel-neutral error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.app.conversation.screens import Button, Screen
from bot.app.delivery import Blocked, MaybeDelivered, Rejected, RetryLater, Unreachable
from bot.demo.botapi import LocalBotApiServer
from bot.demo.botapi.errors import ApiError, too_many_requests
from bot.telegram.delivery import TelegramDelivery
from tests.bot.demo.botapi.fixtures import assert_no_violations

CHAT = 7101
INVITATION = Screen("<b>まちの声</b> のお願い", ((Button("回答をはじめる", "w:1"),),))


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApiServer]:
    """The Bot API stand-in with one resident's chat."""
    async with LocalBotApiServer() as running:
        running.user(CHAT)
        yield running
        assert_no_violations(running)


@pytest.fixture
async def delivery(server: LocalBotApiServer) -> AsyncIterator[TelegramDelivery]:
    """The delivery over a bot pointed at the stand-in."""
    async with Bot(server.token, base_url=server.base_url) as bot:
        yield TelegramDelivery(bot)


async def test_a_screen_arrives_as_html_with_its_button(
    server: LocalBotApiServer, delivery: TelegramDelivery
) -> None:
    await delivery.deliver(CHAT, INVITATION, key=1)
    (message,) = [m for m in server.transcript(CHAT) if m.from_bot]
    assert message.text == "まちの声 のお願い"  # the HTML is rendered, not shown
    assert message.button_texts == ["回答をはじめる"]


async def test_a_flood_limit_says_when_to_retry(
    server: LocalBotApiServer, delivery: TelegramDelivery
) -> None:
    server.fail_next("sendMessage", too_many_requests(3))
    with pytest.raises(RetryLater) as caught:
        await delivery.deliver(CHAT, INVITATION, key=1)
    assert caught.value.seconds == 3


async def test_a_resident_who_blocked_the_bot_is_blocked(
    server: LocalBotApiServer, delivery: TelegramDelivery
) -> None:
    server.block(CHAT)
    with pytest.raises(Blocked):
        await delivery.deliver(CHAT, INVITATION, key=1)


async def test_an_unknown_chat_is_rejected_with_telegrams_reason(
    delivery: TelegramDelivery,
) -> None:
    with pytest.raises(Rejected) as caught:
        await delivery.deliver(CHAT + 1, INVITATION, key=1)
    assert "chat not found" in caught.value.reason.lower()


async def test_a_server_failure_is_unreachable(
    server: LocalBotApiServer, delivery: TelegramDelivery
) -> None:
    server.fail_next("sendMessage", ApiError(502, "Bad Gateway"))
    with pytest.raises(Unreachable):
        await delivery.deliver(CHAT, INVITATION, key=1)


async def test_no_answer_in_time_may_have_been_delivered() -> None:
    silent = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    request = HTTPXRequest(read_timeout=0.2, write_timeout=0.2)
    await request.initialize()
    try:
        bot = Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=request)
        with pytest.raises(MaybeDelivered):
            await TelegramDelivery(bot).deliver(CHAT, INVITATION, key=1)
    finally:
        await request.shutdown()
        silent.close()
