"""Reminders whose time passed while the bot was down (or before the wave opened) fire once."""

from __future__ import annotations

from datetime import timedelta

from bot.app.waves import close_wave, open_wave
from tests.bot.conftest import BotApp
from tests.bot.sending import (
    FIRST,
    invitations_in,
    invited_wave,
    reminded,
    reminder_jobs,
    wait_reminders_done,
    wait_sent,
)
from tests.builders import make_response


async def test_a_reminder_due_while_the_bot_was_down_fires_once_at_start_up(
    bot_app: BotApp,
) -> None:
    at = (bot_app.services.now() + timedelta(hours=25)).isoformat()  # a day after inviting
    wave_id, _ = await invited_wave(bot_app, 3, [at])
    assert await reminder_jobs(bot_app, wave_id) == ["pending"]
    bot_app.clock.advance(timedelta(hours=26))  # down across the reminder's time
    await bot_app.restart()
    await wait_reminders_done(bot_app, wave_id)
    assert reminded(bot_app, 3) == [1, 1, 1]
    await bot_app.restart()  # and again: nothing fires twice
    await bot_app.settle()
    await wait_sent(bot_app, wave_id, kind=None)
    assert reminded(bot_app, 3) == [1, 1, 1]
    assert await reminder_jobs(bot_app, wave_id) == ["done"]


async def test_a_reopened_wave_whose_reminder_time_has_passed_reminds_once_at_once(
    bot_app: BotApp,
) -> None:
    wave_id, people = await invited_wave(bot_app, 3, ["3d"])
    async with bot_app.services.uow() as uow:
        done = await uow.respondents.get(people[0])
    await make_response(bot_app.services.uow, wave_id, done)
    await close_wave(bot_app.services, wave_id)
    bot_app.clock.advance(timedelta(days=2))
    closes = bot_app.services.now() + timedelta(days=2)  # so "3d before closing" is past
    await open_wave(bot_app.services, wave_id, reopen=True, closes_at=closes)
    await bot_app.jobs.sync()  # what start-up and the poll do
    await wait_reminders_done(bot_app, wave_id)
    assert reminded(bot_app, 3) == [0, 1, 1]
    await bot_app.restart()
    await wait_sent(bot_app, wave_id, kind=None)
    assert reminded(bot_app, 3) == [0, 1, 1]
    assert [invitations_in(bot_app, FIRST + i) - r for i, r in enumerate([0, 1, 1])] == [1, 1, 1]


async def test_a_reminder_past_before_the_wave_opened_does_not_follow_the_invitation(
    bot_app: BotApp,
) -> None:
    past = (bot_app.services.now() - timedelta(hours=1)).isoformat()
    wave_id, _ = await invited_wave(bot_app, 2, [past])
    await bot_app.jobs.sync()
    await wait_reminders_done(bot_app, wave_id)
    # it fired (late, once) but nobody was invited before its time: no reminder on the heels
    # of the invitation itself
    assert reminded(bot_app, 2) == [0, 0]
    assert [invitations_in(bot_app, FIRST + i) for i in range(2)] == [1, 1]
