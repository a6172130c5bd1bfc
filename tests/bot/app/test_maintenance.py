"""The process's timers (on its WaveJobs' scheduler, whatever its channels): the data retention
policy (only when configured), and the catch-up on comments that arrived without the bot."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from apscheduler.job import Job

from bot.app.maintenance import COMMENTS_JOB, RETENTION_JOB
from tests.bot.conftest import BotApp
from tests.builders import NOW, make_respondent, make_response


async def _has_contact(bot: BotApp, respondent_id: int) -> bool:
    async with bot.services.uow() as uow:
        return await uow.contacts.get(respondent_id) is not None


async def run(job: Job | None) -> None:
    """Run a timer's job as the scheduler does when it is due."""
    assert job is not None
    await job.func(*job.args, **job.kwargs)


async def test_no_retention_job_without_a_policy(bot_app: BotApp) -> None:
    assert bot_app.jobs.scheduler.get_job(COMMENTS_JOB) is not None
    assert bot_app.jobs.scheduler.get_job(RETENTION_JOB) is None


async def test_the_scheduled_job_forgets_idle_residents_chat_ids(bot_app: BotApp) -> None:
    idle = await make_respondent(bot_app.services.uow)  # last seen at the builders' NOW
    days_since = (bot_app.clock.now - NOW).days
    settings = replace(bot_app.services.settings, contact_retention_days=days_since + 30)
    bot_app.services.settings = settings
    await bot_app.restart()
    job = bot_app.jobs.scheduler.get_job(RETENTION_JOB)

    await run(job)
    assert await _has_contact(bot_app, idle.id), "not idle long enough yet"

    bot_app.clock.advance(timedelta(days=31))
    await run(job)
    assert not await _has_contact(bot_app, idle.id)
    async with bot_app.services.uow() as uow:
        assert await uow.respondents.get(idle.id) is not None, "pseudonymous answers stay"


async def test_the_scheduled_catch_up_stores_an_imported_comment(bot_app: BotApp) -> None:
    job = bot_app.jobs.scheduler.get_job(COMMENTS_JOB)
    answers = {"livability": "livable", "comment": "図書館を夜まで開けてほしい。電話 090-1111-2222"}
    imported = await make_response(bot_app.services.uow, bot_app.wave_id, answers=answers)

    await run(job)
    async with bot_app.services.uow() as uow:
        answer = (await uow.responses.answers(imported.id))["comment"]
        [masked] = (await uow.comments.masked_texts([answer.id])).values()
        assert await uow.comments.unclassified() == []
    assert "【電話番号】" in masked and "090" not in masked
