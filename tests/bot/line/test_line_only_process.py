"""A LINE-only process (`machikoe run --line`, no Telegram token) runs the wave jobs: a wave
planned for LINE residents opens at its time and its invitations reach them by push."""

from __future__ import annotations

import asyncio
import gc
import logging
from datetime import timedelta

import pytest

from bot.app import callbacks
from bot.app.invitations import InvitationSender
from bot.app.services import utc_now
from bot.app.waves import create_wave, schedule_wave
from bot.cli.run import _serve, wave_jobs_for
from tests.bot.line.conftest import LineBot, invite, onboard, telegram_resident

ALL_DAY = {"send_window": "00:00-24:00"}
"""The process runs on the wall clock: its sending hours must not depend on when tests run."""


async def test_a_line_only_process_opens_a_wave_and_pushes_its_invitations(
    line: LineBot,
) -> None:
    sachiko = line.user()
    await onboard(sachiko)
    shown = len(sachiko.messages)
    async with line.services.uow() as uow:  # one open wave per survey: the fixture's closes
        await uow.waves.update_status(line.wave_id, "closed", line.services.now())
        await uow.commit()
    soon = utc_now() + timedelta(seconds=1)
    wave = await create_wave(
        line.services,
        survey_id="residency-livability",
        opens_at=soon,
        closes_at=soon + timedelta(days=7),
        rules=ALL_DAY,
        channel="line",
    )
    await schedule_wave(line.services, wave.id)  # what `machikoe wave schedule` does
    settings = line.services.settings
    assert settings.telegram_token is None
    stop = asyncio.Event()
    process = asyncio.create_task(
        _serve(settings, None, None, None, "127.0.0.1", 0, None, ("127.0.0.1", 0), stop)
    )
    try:
        await sachiko.received(shown + 1)
    finally:
        stop.set()
        await asyncio.wait_for(process, timeout=30)
        gc.unfreeze()  # the process froze the test's objects (settle_memory)
    invitation = sachiko.messages[-1]
    assert invitation.how == "push" and "アンケートのお願い" in invitation.text
    async with line.services.uow() as uow:
        opened = await uow.waves.get(wave.id)
        progress = await uow.invitations.progress(wave.id, kind=None)
    assert opened is not None and opened.status == "open"
    assert progress["sent"] == 1 and line.platform.pushes == 1
    assert invitation.actions[0]["data"] == callbacks.start_wave_data(wave.id)


async def test_a_line_only_process_logs_the_summary_it_cannot_post_and_plans_the_next(
    line: LineBot, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = wave_jobs_for(line.services)  # no Telegram application: no staff chat
    async with line.services.uow() as uow:
        await uow.waves.update(line.wave_id, summary_schedule={"day": "mon", "time": "09:00"})
        job = await uow.jobs.add("summary", line.wave_id, line.services.now())
        await uow.commit()
    with caplog.at_level(logging.INFO, logger="bot.app.delivery"):
        assert await jobs.run_job(job.id)
    await jobs.stop()
    assert "summary of wave 1 not posted" in caplog.text and "console" in caplog.text
    async with line.services.uow() as uow:
        planned = [(j.kind, j.state) for j in await uow.jobs.for_wave(line.wave_id)]
    assert planned == [("summary", "done"), ("summary", "pending")]


async def test_a_telegram_resident_is_not_silently_lost_in_a_line_only_process(
    line: LineBot,
) -> None:
    await telegram_resident(line, 9001)
    assert await invite(line, ["telegram"]) == 1
    jobs = wave_jobs_for(line.services)
    sender = InvitationSender(jobs.deliveries, line.services, jobs.pacer)
    tally = await sender.run(line.wave_id)
    await jobs.stop()
    assert tally.failed == 1 and line.platform.pushes == 0
    async with line.services.uow() as uow:
        progress = await uow.invitations.progress(line.wave_id, kind=None)
    assert progress["failed"] == 1  # recorded with its reason, never sent twice
