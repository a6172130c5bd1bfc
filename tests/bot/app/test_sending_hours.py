"""Sending hours, reminder caps and results back through the running bot, with a settable clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.app.results_back import send_results
from bot.app.wave_plans import WaveError
from bot.app.waves import close_wave, wave_details
from surveys.roles import Role
from tests.bot.conftest import BotApp
from tests.bot.sending import (
    REMINDER,
    opened,
    received,
    reminded,
    residents,
    sender_done,
    tokyo,
    wait_reminders_done,
    wait_sent,
)
from tests.builders import make_response

ADMIN_ID = 7001


async def test_a_wave_opened_at_night_sends_nothing_until_nine(bot_app: BotApp) -> None:
    bot_app.clock.now = tokyo(2, 23, 0)
    wave_id = await opened(bot_app, 3)
    bot_app.jobs.start_sending(wave_id)  # what the staff's 開始 button does
    await sender_done(bot_app)
    await bot_app.jobs.sync()  # what start-up and the poll do
    await bot_app.settle()
    assert received(bot_app, 3) == [0, 0, 0]
    assert bot_app.jobs.wakeups[wave_id] == tokyo(3, 9, 0)
    details = await wave_details(bot_app.services, wave_id)
    assert (details.waiting, details.resume_at) == (3, tokyo(3, 9, 0))

    bot_app.clock.now = tokyo(3, 9, 0)
    await bot_app.jobs.sync()
    await wait_sent(bot_app, wave_id)
    assert received(bot_app, 3) == [1, 1, 1]


async def test_an_admin_sees_in_the_chat_what_waits_for_the_morning(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    bot_app.clock.now = tokyo(2, 22, 30)
    wave_id = await opened(bot_app, 2, rules={"send_window": "10:00-19:00"})
    bot_app.server.user(ADMIN_ID).send_command(f"/wave {wave_id}")
    await bot_app.settle()
    text = bot_app.last_text(ADMIN_ID)
    assert "送信の決まり: 送信時間 10:00〜19:00・リマインドは1人2回まで・間隔24時間以上" in text
    assert "送信待ち 2件（6月3日 10:00から）" in text


async def test_inside_the_hours_sending_starts_at_once_on_a_moving_clock(
    bot_app: BotApp,
) -> None:
    bot_app.clock.now = tokyo(2, 10, 0)
    wave_id = await opened(bot_app, 2)

    def moving() -> datetime:
        """A clock a millisecond later at every read, as the real one is."""
        bot_app.clock.advance(timedelta(milliseconds=1))
        return bot_app.clock.now

    bot_app.services.clock = moving
    await bot_app.jobs.sync()
    assert wave_id not in bot_app.jobs.wakeups  # no wake-up "a moment later"
    await wait_sent(bot_app, wave_id)
    assert received(bot_app, 2) == [1, 1]


async def test_a_restart_at_0859_sends_at_0900(bot_app: BotApp) -> None:
    bot_app.clock.now = tokyo(2, 8, 59)
    wave_id = await opened(bot_app, 2)
    await bot_app.restart()
    await sender_done(bot_app)
    await bot_app.settle()
    assert received(bot_app, 2) == [0, 0]
    assert bot_app.jobs.wakeups[wave_id] == tokyo(2, 9, 0)

    bot_app.clock.advance(timedelta(minutes=1))
    await bot_app.jobs.sync()
    await wait_sent(bot_app, wave_id)
    assert received(bot_app, 2) == [1, 1]


async def test_the_reminder_cap_holds_across_restarts(bot_app: BotApp) -> None:
    start = bot_app.services.now()
    times = [(start + timedelta(days=d, hours=1)).isoformat() for d in (1, 2, 3)]
    wave_id = await opened(bot_app, 2, reminders=times, rules={"max_reminders": 1})
    bot_app.jobs.start_sending(wave_id)
    await wait_sent(bot_app, wave_id)
    for _ in times:
        bot_app.clock.advance(timedelta(days=1, hours=1))
        await bot_app.restart()
        await wait_sent(bot_app, wave_id, kind=None)
    await wait_reminders_done(bot_app, wave_id)
    assert reminded(bot_app, 2) == [1, 1]


async def test_the_results_go_back_once_inside_the_sending_hours(bot_app: BotApp) -> None:
    people = await residents(bot_app, 3)
    async with bot_app.services.uow() as uow:
        answered = [await uow.respondents.get(person) for person in people[:2]]
    for respondent in answered:
        assert respondent is not None
        await make_response(bot_app.services.uow, bot_app.wave_id, respondent)
    with pytest.raises(WaveError, match="only after it closes"):
        await send_results(bot_app.services, bot_app.wave_id)
    await close_wave(bot_app.services, bot_app.wave_id)
    bot_app.clock.now = tokyo(2, 21, 0)
    back = await send_results(bot_app.services, bot_app.wave_id, "結果は市報7月号でも")
    assert back.recipients == 2 and back.sends_from == tokyo(3, 9, 0)
    with pytest.raises(WaveError, match="already sent back"):
        await send_results(bot_app.services, bot_app.wave_id)
    await bot_app.jobs.sync()
    await bot_app.settle()
    assert received(bot_app, 3, "結果をお知らせします") == [0, 0, 0]

    bot_app.clock.now = tokyo(3, 9, 0)
    await bot_app.restart()
    await wait_sent(bot_app, bot_app.wave_id, kind="results")
    await bot_app.restart()
    await bot_app.settle()
    assert received(bot_app, 3, "結果をお知らせします") == [1, 1, 0]
    assert received(bot_app, 3, "市報7月号") == [1, 1, 0]
    assert received(bot_app, 3, REMINDER) == [0, 0, 0]


async def test_an_admin_previews_then_sends_the_results_from_the_chat(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    people = await residents(bot_app, 2)
    async with bot_app.services.uow() as uow:
        answered = await uow.respondents.get(people[0])
    assert answered is not None
    await make_response(bot_app.services.uow, bot_app.wave_id, answered)
    await close_wave(bot_app.services, bot_app.wave_id)
    admin = bot_app.server.user(ADMIN_ID)
    admin.send_command(f"/wave {bot_app.wave_id}")
    await bot_app.settle()
    admin.tap("結果を送る")
    await bot_app.settle()
    preview = bot_app.last_text(ADMIN_ID)
    assert "送信前の確認" in preview and "回答した住民 1 人に 6月2日 09:00 から" in preview
    assert "住み続けたいと思う市民の割合" in preview
    assert received(bot_app, 2, "結果をお知らせします") == [0, 0]  # nothing before 送る
    admin.tap("送る")
    await bot_app.settle()
    await wait_sent(bot_app, bot_app.wave_id, kind="results")
    assert received(bot_app, 2, "結果をお知らせします") == [1, 0]
    assert "結果を送る" not in [text for row in admin.messages[-1].buttons for text, _ in row]
    assert bot_app.server.unanswered_callbacks() == []
