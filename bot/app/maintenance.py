"""Housekeeping every process runs on a timer, on its WaveJobs' scheduler whatever its
channels: the data retention policy, and the catch-up on comments not stored yet (say, freshly
imported ones).

Both are idempotent (deleting an already deleted contact, masking masked text or storing a
stored comment changes nothing), so each replica may run them; no leader is needed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app.comments import install
from bot.app.retention import RetentionPolicy, apply_retention
from bot.app.services import Services

RETENTION_JOB = "retention"
RETENTION_EVERY = timedelta(hours=6)
RETENTION_FIRST = timedelta(seconds=30)
COMMENTS_JOB = "comment-catch-up"
COMMENTS_EVERY = timedelta(minutes=10)

log = logging.getLogger(__name__)


def plan_maintenance(scheduler: AsyncIOScheduler, services: Services) -> None:
    """Catch up on comments now and on a timer; schedule the retention policy if configured."""
    install(services).catch_up_soon()
    now = datetime.now(UTC)
    scheduler.add_job(
        catch_up_on_comments,
        trigger="interval",
        seconds=COMMENTS_EVERY.total_seconds(),
        next_run_time=now + COMMENTS_EVERY,
        args=(services,),
        id=COMMENTS_JOB,
        replace_existing=True,
    )
    if RetentionPolicy.from_settings(services.settings).enabled:
        scheduler.add_job(
            run_retention,
            trigger="interval",
            seconds=RETENTION_EVERY.total_seconds(),
            next_run_time=now + RETENTION_FIRST,
            args=(services,),
            id=RETENTION_JOB,
            replace_existing=True,
        )


async def catch_up_on_comments(services: Services) -> None:
    """Store and classify comments that no submission brought (say, imported ones)."""
    await install(services).catch_up_quietly()


async def run_retention(services: Services) -> None:
    """Apply the retention policy now; a failure is logged and retried at the next run."""
    try:
        await apply_retention(services)
    except Exception as error:  # a housekeeping failure must never stop the process
        log.error("retention run failed: %s", type(error).__name__)
