"""Housekeeping every process runs on a timer: the data retention policy, and the catch-up on
comments not stored yet (say, freshly imported ones).

Both are idempotent (deleting an already deleted contact, masking masked text or storing a
stored comment changes nothing), so each replica may run them; no leader is needed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, BaseHandler, ContextTypes

from bot.app.comments import install
from bot.app.retention import RetentionPolicy, apply_retention
from bot.app.services import Services
from bot.telegram.context import services_of_application

RETENTION_JOB = "retention"
RETENTION_EVERY = timedelta(hours=6)
RETENTION_FIRST = timedelta(seconds=30)
COMMENTS_JOB = "comment-catch-up"
COMMENTS_EVERY = timedelta(minutes=10)

log = logging.getLogger(__name__)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """No chat handlers: this module only schedules jobs."""
    return []


async def on_startup(application: Application) -> None:  # type: ignore[type-arg]
    """Catch up on comments now and on a timer; schedule the retention policy if configured."""
    services: Services = services_of_application(application)
    install(services).catch_up_soon()
    jobs = application.job_queue
    if jobs is None:
        return
    jobs.run_repeating(
        catch_up_on_comments, interval=COMMENTS_EVERY, first=COMMENTS_EVERY, name=COMMENTS_JOB
    )
    if RetentionPolicy.from_settings(services.settings).enabled:
        jobs.run_repeating(
            run_retention, interval=RETENTION_EVERY, first=RETENTION_FIRST, name=RETENTION_JOB
        )


async def catch_up_on_comments(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store and classify comments that no submission brought (say, imported ones)."""
    services: Services = services_of_application(context.application)
    await install(services).catch_up_quietly()


async def run_retention(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Apply the retention policy now; a failure is logged and retried at the next run."""
    services: Services = services_of_application(context.application)
    try:
        await apply_retention(services)
    except Exception as error:  # a housekeeping failure must never stop the bot
        log.error("retention run failed: %s", type(error).__name__)
