"""Issue 19: the sender stops at 20:00 in the middle of a batch; the rest wait for 09:00 and then
go out in their order, each resident getting exactly one invitation."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.app.invitations import Pacer
from bot.app.waves import wave_details
from tests.bot.conftest import BotApp
from tests.bot.sending import FIRST, opened, received, sender_done, tokyo, wait_sent

RESIDENTS = 30
STEP = timedelta(seconds=4)
"""How far the clock moves with each message sent: the 16th would go at 20:00:00."""


class OneAtATime(Pacer):
    """A pacer with one message in flight at a time, noting each chat sent to in order."""

    def __init__(self) -> None:
        super().__init__()
        self._turn = asyncio.Lock()
        self._sent_to: dict[int, int | str] = {}
        self.order: list[int | str] = []

    async def wait(self, chat_id: int | str) -> asyncio.Future[float]:
        await self._turn.acquire()
        ticket: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._sent_to[id(ticket)] = chat_id
        return ticket

    def settle(self, ticket: asyncio.Future[float], *, counted: bool) -> None:
        if ticket.done():
            return
        ticket.set_result(0.0)
        if counted:
            self.order.append(self._sent_to[id(ticket)])
        self._turn.release()


async def test_the_sender_stops_at_eight_mid_batch_and_the_rest_go_at_nine_in_order(
    bot_app: BotApp,
) -> None:
    bot_app.clock.now = tokyo(2, 19, 59)
    wave_id = await opened(bot_app, RESIDENTS)
    pacer = OneAtATime()
    bot_app.jobs.pacer = pacer
    start = bot_app.clock.now

    def evening() -> datetime:
        """19:59:00, four seconds later with each message sent."""
        return start + STEP * len(pacer.order)

    bot_app.services.clock = evening
    bot_app.jobs.start_sending(wave_id)
    await sender_done(bot_app)
    await bot_app.settle()
    chats = list(range(FIRST, FIRST + RESIDENTS))
    assert pacer.order == chats[:15]  # 19:59:00 … 19:59:56; none from 20:00 on
    assert received(bot_app, RESIDENTS) == [1] * 15 + [0] * 15

    await bot_app.jobs.sync()  # what the poll does after the sender stopped
    assert bot_app.jobs.wakeups[wave_id] == tokyo(3, 9, 0)
    details = await wave_details(bot_app.services, wave_id)
    assert (details.waiting, details.resume_at) == (15, tokyo(3, 9, 0))

    bot_app.services.clock = bot_app.clock
    bot_app.clock.now = tokyo(3, 8, 59)
    await bot_app.jobs.sync()
    await bot_app.settle()
    assert received(bot_app, RESIDENTS) == [1] * 15 + [0] * 15  # not a minute early

    bot_app.clock.now = tokyo(3, 9, 0)
    await bot_app.jobs.sync()
    await wait_sent(bot_app, wave_id)
    assert pacer.order == chats  # the rest in their order, after the first fifteen
    assert received(bot_app, RESIDENTS) == [1] * RESIDENTS
