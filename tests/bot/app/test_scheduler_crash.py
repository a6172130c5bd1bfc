"""Work left half-done by a process that died: jobs run again after a lease, claims never resend."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.app.invitations import CLAIM_LEASE
from bot.app.scheduler import JOB_LEASE, MAX_JOB_RETRIES
from bot.app.waves import wave_details
from tests.bot.conftest import BotApp
from tests.bot.sending import FIRST, invitations_in, open_new_wave, residents

WEEKLY = {"day": "mon", "time": "09:00"}


async def summary_jobs(app: BotApp) -> list[tuple[str, int]]:
    """(state, retries) of the fixture wave's summary jobs in time order."""
    async with app.services.uow() as uow:
        jobs = await uow.jobs.for_wave(app.wave_id)
    return [(j.state, int((j.detail or {}).get("retries", 0))) for j in jobs if j.kind == "summary"]


async def crashed_summary(app: BotApp, retries: int = 0) -> int:
    """A weekly summary job claimed by a process that died before finishing it; its id."""
    now = app.services.now()
    async with app.services.uow() as uow:
        await uow.waves.update(app.wave_id, summary_schedule=WEEKLY)
        job = await uow.jobs.add("summary", app.wave_id, now, {"retries": retries})
        assert await uow.jobs.mark_fired(job.id, now)
        await uow.commit()
    return job.id


async def wait_summaries(app: BotApp, expected: list[tuple[str, int]]) -> None:
    """Wait (≤ 5 s) for the summary jobs to reach the expected states."""
    for _ in range(100):
        if await summary_jobs(app) == expected:
            return
        await asyncio.sleep(0.05)
    assert await summary_jobs(app) == expected


async def test_a_summary_left_running_by_a_dead_process_runs_again_after_the_lease(
    bot_app: BotApp, caplog: pytest.LogCaptureFixture
) -> None:
    await crashed_summary(bot_app)
    await bot_app.restart()  # within the lease: another replica may still be posting it
    await bot_app.settle()
    assert await summary_jobs(bot_app) == [("running", 0)]
    bot_app.clock.advance(JOB_LEASE + timedelta(minutes=1))
    with caplog.at_level(logging.WARNING, logger="bot.app.scheduler"):
        await bot_app.restart()
        await wait_summaries(bot_app, [("done", 1), ("pending", 0)])  # and next week's planned
    assert "may be posted twice" in caplog.text
    await bot_app.restart()
    await bot_app.settle()
    assert await summary_jobs(bot_app) == [("done", 1), ("pending", 0)]


async def test_a_job_that_keeps_dying_is_given_up(
    bot_app: BotApp, caplog: pytest.LogCaptureFixture
) -> None:
    await crashed_summary(bot_app, retries=MAX_JOB_RETRIES)
    bot_app.clock.advance(JOB_LEASE + timedelta(minutes=1))
    with caplog.at_level(logging.ERROR, logger="bot.app.scheduler"):
        await bot_app.jobs.sync()
    assert await summary_jobs(bot_app) == [("done", MAX_JOB_RETRIES)]
    assert "given up" in caplog.text


async def wait_progress(app: BotApp, wave_id: int, expected: dict[str, int]) -> None:
    """Wait (≤ 10 s) for the wave's invitation counts to be as expected."""
    for _ in range(200):
        async with app.services.uow() as uow:
            progress = await uow.invitations.progress(wave_id)
        if progress == expected and app.jobs.sending == set():
            return
        await asyncio.sleep(0.05)
    assert progress == expected


async def test_an_invitation_claimed_by_a_dead_sender_is_never_resent(bot_app: BotApp) -> None:
    await residents(bot_app, 3)
    wave_id = await open_new_wave(bot_app)
    async with bot_app.services.uow() as uow:  # a sender claims one, then its process dies
        [claimed] = await uow.invitations.claim(wave_id, "dead", bot_app.services.now(), 1)
        await uow.commit()
    await bot_app.jobs.sync()  # sends the other two; the claim is within its lease
    expected = {"pending": 0, "sending": 1, "sent": 2, "failed": 0, "blocked": 0}
    await wait_progress(bot_app, wave_id, expected)
    details = await wave_details(bot_app.services, wave_id)  # what staff see meanwhile
    assert (details.invitations_done, details.invitations_total) == (2, 3)
    assert details.invitations["sending"] == 1
    bot_app.clock.advance(CLAIM_LEASE + timedelta(minutes=1))
    await bot_app.restart()  # start-up finds the claim stale
    expected = {"pending": 0, "sending": 0, "sent": 2, "failed": 1, "blocked": 0}
    await wait_progress(bot_app, wave_id, expected)
    received = {chat: invitations_in(bot_app, chat) for chat in range(FIRST, FIRST + 3)}
    assert received.pop(claimed.chat_id) == 0
    assert set(received.values()) == {1}
    details = await wave_details(bot_app.services, wave_id)
    assert (details.invitations_done, "sending" in details.invitations) == (3, False)
