"""Housekeeping every process runs on a timer: the data retention policy.

Retention is idempotent (deleting an already deleted contact or masking masked text changes
nothing), so each replica may run it; no leader is needed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, BaseHandler, ContextTypes

from bot.retention import RetentionPolicy, apply_retention
from bot.services import Services

ORDER = 95
RETENTION_JOB = "retention"
RETENTION_EVERY = timedelta(hours=6)
RETENTION_FIRST = timedelta(seconds=30)

log = logging.getLogger(__name__)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """No chat handlers: this module only schedules jobs."""
    return []


async def on_startup(application: Application) -> None:  # type: ignore[type-arg]
    """Schedule the retention policy when one is configured."""
    services: Services = application.bot_data["services"]
    policy = RetentionPolicy.from_settings(services.settings)
    if not policy.enabled or application.job_queue is None:
        return
    application.job_queue.run_repeating(
        run_retention, interval=RETENTION_EVERY, first=RETENTION_FIRST, name=RETENTION_JOB
    )


async def run_retention(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Apply the retention policy now; a failure is logged and retried at the next run."""
    services: Services = context.application.bot_data["services"]
    try:
        await apply_retention(services)
    except Exception as error:  # a housekeeping failure must never stop the bot
        log.error("retention run failed: %s", type(error).__name__)
