"""Stored wave jobs: missed ones fire once at start-up, CLI-added ones are picked up by polling."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import scheduler
from bot.app.waves import create_wave, schedule_wave
from bot.cli.run import wave_jobs_for
from tests.bot.conftest import BotApp


async def status_of(app: BotApp, wave_id: int) -> str:
    """The wave's status in the database."""
    async with app.services.uow() as uow:
        wave = await uow.waves.get(wave_id)
    assert wave is not None
    return wave.status


async def wait_status(app: BotApp, wave_id: int, status: str) -> None:
    """Wait (≤ 5 s) for the wave to reach a status."""
    for _ in range(100):
        if await status_of(app, wave_id) == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"wave {wave_id} is {await status_of(app, wave_id)}, not {status}")


async def test_a_close_missed_while_the_bot_was_down_fires_once_at_start_up(
    bot_app: BotApp,
) -> None:
    now = bot_app.services.now()
    async with bot_app.services.uow() as uow:
        job = await uow.jobs.add("close", bot_app.wave_id, now + timedelta(hours=1))
        await uow.commit()
    await bot_app.settle()
    assert await status_of(bot_app, bot_app.wave_id) == "open"
    bot_app.clock.advance(timedelta(hours=2))  # the bot is "down" across the closing time
    await bot_app.restart()
    await wait_status(bot_app, bot_app.wave_id, "closed")
    await bot_app.restart()  # and again: nothing fires twice
    async with bot_app.services.uow() as uow:
        jobs = await uow.jobs.for_wave(bot_app.wave_id)
        wave = await uow.waves.get(bot_app.wave_id)
    assert [(j.id, j.state) for j in jobs] == [(job.id, "done")]
    assert wave is not None and wave.closed_at == now + timedelta(hours=2)


async def test_a_job_added_while_the_bot_runs_is_picked_up_by_the_poll(
    bot_app: BotApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "POLL_SECONDS", 0.2)
    await bot_app.restart()  # polls every 0.2 s from now on
    async with bot_app.services.uow() as uow:
        await uow.waves.update_status(bot_app.wave_id, "closed", bot_app.services.now())
        await uow.commit()
    wave = await create_wave(
        bot_app.services,
        survey_id="residency-livability",
        opens_at=bot_app.services.now() + timedelta(seconds=0.3),
        closes_at=bot_app.services.now() + timedelta(days=7),
    )
    await schedule_wave(bot_app.services, wave.id)  # what `machikoe wave schedule` does
    await wait_status(bot_app, wave.id, "open")
    async with bot_app.services.uow() as uow:
        kinds = {(j.kind, j.state) for j in await uow.jobs.for_wave(wave.id)}
        opened = await uow.waves.get(wave.id)
    assert ("open", "done") in kinds and ("close", "pending") in kinds
    assert opened is not None and opened.definition_id is not None


async def test_two_bot_processes_run_a_due_job_once(bot_app: BotApp) -> None:
    async with bot_app.services.uow() as uow:
        job = await uow.jobs.add("close", bot_app.wave_id, bot_app.services.now())
        await uow.commit()
    other = wave_jobs_for(bot_app.services)  # a second replica's jobs, same DB
    results = await asyncio.gather(
        bot_app.jobs.run_job(job.id), other.run_job(job.id), return_exceptions=True
    )
    assert sorted(results, key=str) == [False, True]
    assert await status_of(bot_app, bot_app.wave_id) == "closed"


async def test_a_weekly_summary_job_plans_the_next_week(
    bot_app: BotApp,
) -> None:
    async with bot_app.services.uow() as uow:
        await uow.waves.update(bot_app.wave_id, summary_schedule={"day": "mon", "time": "09:00"})
        job = await uow.jobs.add("summary", bot_app.wave_id, bot_app.services.now())
        await uow.commit()
    assert await bot_app.jobs.run_job(job.id)
    async with bot_app.services.uow() as uow:
        jobs = await uow.jobs.for_wave(bot_app.wave_id)
    assert [(j.kind, j.state) for j in jobs] == [("summary", "done"), ("summary", "pending")]
    # START is Monday 2025-06-02 09:00 in Tokyo: the next summary is a week later
    assert jobs[1].run_at - jobs[0].run_at == timedelta(days=7)
