"""Invitations through the running bot: 429 honoured, 403 unsubscribes, restart resumes once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.demo.botapi.errors import too_many_requests
from tests.bot.conftest import BotApp
from tests.bot.sending import FIRST, invitations_in, open_new_wave, residents, wait_sent
from tests.builders import make_response


async def test_429_is_retried_and_a_blocked_resident_is_unsubscribed(bot_app: BotApp) -> None:
    people = await residents(bot_app, 4)
    bot_app.server.block(FIRST + 3)
    bot_app.server.fail_next("sendMessage", too_many_requests(1), times=1)
    wave_id = await open_new_wave(bot_app)
    assert bot_app.jobs.start_sending(wave_id)
    progress = await wait_sent(bot_app, wave_id)
    assert progress == {"pending": 0, "sending": 0, "sent": 3, "failed": 0, "blocked": 1}
    assert [invitations_in(bot_app, FIRST + i) for i in range(3)] == [1, 1, 1]
    assert any(e.error_code == 429 for e in bot_app.server.errors)
    async with bot_app.services.uow() as uow:
        contact = await uow.contacts.get(people[3])
        counts = await uow.waves.counts(wave_id)
    assert contact is not None and not contact.subscribed and contact.blocked_at is not None
    assert counts.invited == 3


async def test_a_restart_mid_sending_resumes_and_sends_nobody_twice(bot_app: BotApp) -> None:
    await residents(bot_app, 45)
    wave_id = await open_new_wave(bot_app)
    bot_app.jobs.start_sending(wave_id)
    for _ in range(100):
        async with bot_app.services.uow() as uow:
            sent = (await uow.invitations.progress(wave_id))["sent"]
        if sent >= 8:
            break
        await asyncio.sleep(0.05)
    await bot_app.restart()  # stops mid-way; start-up finds the unsent invitations
    progress = await wait_sent(bot_app, wave_id)
    assert progress == {"pending": 0, "sending": 0, "sent": 45, "failed": 0, "blocked": 0}
    assert {invitations_in(bot_app, chat) for chat in range(FIRST, FIRST + 45)} == {1}


async def test_reminders_reach_only_residents_who_have_not_finished(bot_app: BotApp) -> None:
    people = await residents(bot_app, 3)
    wave_id = await open_new_wave(bot_app)
    bot_app.jobs.start_sending(wave_id)
    await wait_sent(bot_app, wave_id)
    async with bot_app.services.uow() as uow:
        finished = await uow.respondents.get(people[0])
        started = await uow.respondents.get(people[1])
    await make_response(bot_app.services.uow, wave_id, finished)
    await make_response(bot_app.services.uow, wave_id, started, submit=False)
    bot_app.clock.advance(timedelta(days=1))  # the least gap since the invitation
    async with bot_app.services.uow() as uow:
        job = await uow.jobs.add("reminder", wave_id, bot_app.services.now())
        await uow.commit()
    assert await bot_app.jobs.run_job(job.id)
    assert not await bot_app.jobs.run_job(job.id)  # fired once only
    await wait_sent(bot_app, wave_id, kind=None)
    reminded = [invitations_in(bot_app, FIRST + i, "締切が近づいています") for i in range(3)]
    resumed = [invitations_in(bot_app, FIRST + i, "続きから回答できます") for i in range(3)]
    # the resident halfway through is told they can continue, not invited again
    assert (reminded, resumed) == ([0, 1, 1], [0, 1, 0])
    started_chat = bot_app.server.transcript(FIRST + 1)
    assert sum("アンケートのお願い" in m.text for m in started_chat if m.from_bot) == 1
