"""Wave jobs on python-telegram-bot's JobQueue: stored in the database, fired once, resumed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.app.services import Services
from bot.app.waves import WaveError, close_wave_in, next_summary_time, open_wave_in
from bot.invitations import CLAIM_LEASE, InvitationSender, Pacer, ProgressCallback
from bot.telegram.context import services_of_application
from storage.db import UnitOfWork
from storage.records import JobRecord
from surveys.sending import ContactRules

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0
"""How often the table is read for jobs the CLI (or another process) added."""
STATE_KEY = "scheduler"
NO_MISFIRE: dict[str, Any] = {"misfire_grace_time": None}
"""A job that fires late (busy loop, slow start) still runs: never a silent skip."""
JOB_LEASE = timedelta(minutes=15)
"""A job still ``running`` this long after it was claimed belongs to a process that died."""
MAX_JOB_RETRIES = 3
"""How often a job found dead is run again before it is given up (a crash loop stops)."""
RETRIED_AFTER_CRASH = {
    "open": "the opening re-checks the wave's status, so an open wave is not opened twice",
    "close": "the closing re-checks the wave's status, so a closed wave is not closed twice",
    "reminder": "reminders are rows unique per resident and reminder: nobody gets one twice",
    "invite": "it only starts the sender, which claims each invitation once",
    "summary": "a summary may be posted twice, which is better than never planning the next",
}
"""Why each kind of job is safe to run again after its process died while running it.

open, close, reminder and invite do their work in the transaction that claims and finishes
them, so a crash rolls the claim back with it; only the summary (posted to Telegram after its
claim commits) is normally left ``running`` by a crash.
"""

App = Application  # type: ignore[type-arg]


@dataclass
class SchedulerState:
    """What this process registered and is sending (per application)."""

    pacer: Pacer = field(default_factory=Pacer)
    registered: dict[int, datetime] = field(default_factory=dict)
    sending: set[int] = field(default_factory=set)
    progress: dict[int, ProgressCallback] = field(default_factory=dict)
    wakeups: dict[int, datetime] = field(default_factory=dict)
    """Waves whose waiting messages this process starts sending at a later time."""


def state_of(application: App) -> SchedulerState:
    """This application's scheduler state (created on first use)."""
    state = application.bot_data.get(STATE_KEY)
    if not isinstance(state, SchedulerState):
        state = SchedulerState()
        application.bot_data[STATE_KEY] = state
    return state


def _services(application: App) -> Services:
    return services_of_application(application)


async def on_startup(application: App) -> None:
    """Register every pending job (missed ones fire now, once), resume sending, start polling."""
    await sync_jobs(application)
    job_queue = application.job_queue
    if job_queue is None:
        log.error("no JobQueue: install python-telegram-bot[job-queue]; wave jobs will not run")
        return
    job_queue.run_repeating(
        _poll,
        interval=POLL_SECONDS,
        first=POLL_SECONDS,
        name="wave-poll",
        job_kwargs={"coalesce": True, "misfire_grace_time": None},
    )


async def _poll(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The periodic look at the jobs table."""
    await sync_jobs(context.application)


async def sync_jobs(application: App) -> int:
    """Register pending jobs not yet on the JobQueue and start senders for unsent invitations."""
    services = _services(application)
    state = state_of(application)
    job_queue = application.job_queue
    if job_queue is None:
        return 0
    now = services.now()
    async with services.uow() as uow:
        await _revive_dead_jobs(uow, now)
        await uow.invitations.fail_stale_claims(now - CLAIM_LEASE, now)
        await uow.commit()
        pending = await uow.jobs.pending()
        unsent = await uow.invitations.waves_with_unclaimed()
    added = 0
    for job in pending:
        if state.registered.get(job.id) == job.run_at:
            continue
        state.registered[job.id] = job.run_at
        delay = max(0.0, (job.run_at - now).total_seconds())
        job_queue.run_once(
            _fire,
            when=delay,
            data=(job.id, job.run_at),
            name=f"wave-{job.wave_id}-{job.kind}",
            job_kwargs=NO_MISFIRE,
        )
        added += 1
    for wave_id in unsent:
        await _send_or_wait(application, services, wave_id)
    return added


async def _send_or_wait(application: App, services: Services, wave_id: int) -> None:
    """Send a wave's waiting messages now if its sending hours allow, else wake up then."""
    now = services.now()
    async with services.uow() as uow:
        resume = await resume_time(uow, services, wave_id, now)
    if resume is None:
        return
    if resume <= now:
        start_sending(application, wave_id)
        return
    state = state_of(application)
    if state.wakeups.get(wave_id) == resume or application.job_queue is None:
        return
    state.wakeups[wave_id] = resume
    application.job_queue.run_once(
        _wake,
        when=(resume - now).total_seconds(),
        data=wave_id,
        name=f"wave-{wave_id}-resume",
        job_kwargs=NO_MISFIRE,
    )
    log.info("wave %s: messages wait for the sending hours until %s", wave_id, resume.isoformat())


async def resume_time(
    uow: UnitOfWork, services: Services, wave_id: int, now: datetime
) -> datetime | None:
    """When the wave's waiting messages may go (sending hours and gaps); None: none waits.

    ``now`` itself when they may go now (one clock read, so "now" is never a moment later)."""
    wave = await uow.waves.get(wave_id)
    if wave is None:
        return None
    due = await uow.invitations.next_due(wave_id, now)
    if due is None:
        return None
    return ContactRules.from_stored(wave.contact_rules).next_send_time(due, services.timezone)


async def _wake(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: the sending hours opened (or a gap passed) for a wave's messages."""
    assert context.job is not None and isinstance(context.job.data, int)
    state_of(context.application).wakeups.pop(context.job.data, None)
    await _send_or_wait(context.application, _services(context.application), context.job.data)


async def _revive_dead_jobs(uow: UnitOfWork, now: datetime) -> None:
    """Jobs left running by a process that died run again (a few times), see RETRIED_AFTER_CRASH."""
    for job in await uow.jobs.stale(now - JOB_LEASE):
        detail = dict(job.detail or {})
        retries = int(detail.get("retries", 0))
        if retries >= MAX_JOB_RETRIES:
            if await uow.jobs.give_up(job):
                log.error(
                    "job %s (%s of wave %s) died %s times while running; given up",
                    job.id,
                    job.kind,
                    job.wave_id,
                    retries + 1,
                )
            continue
        detail["retries"] = retries + 1
        if await uow.jobs.retry(job, detail):
            log.warning(
                "job %s (%s of wave %s) was left running by a process that died; running it "
                "again: %s",
                job.id,
                job.kind,
                job.wave_id,
                RETRIED_AFTER_CRASH.get(job.kind, "it is idempotent"),
            )


async def _fire(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: run one stored job."""
    assert context.job is not None
    data = context.job.data
    assert isinstance(data, tuple)
    await run_job(context.application, int(data[0]), data[1])


async def run_job(application: App, job_id: int, run_at: datetime | None = None) -> bool:
    """Claim a stored job atomically and run it; False when it was not ours to run."""
    services = _services(application)
    state = state_of(application)
    state.registered.pop(job_id, None)
    now = services.now()
    async with services.uow() as uow:
        job = await uow.jobs.get(job_id)
        if job is None or job.state != "pending" or (run_at is not None and job.run_at != run_at):
            return False
        if not await uow.jobs.mark_fired(job_id, now):
            return False
        try:
            start = await _run_in_transaction(uow, services, job)
        except WaveError as exc:
            log.warning("job %s (%s of wave %s) not done: %s", job.id, job.kind, job.wave_id, exc)
            start = False
        if job.kind != "summary":
            await uow.jobs.mark_done(job_id)
        await uow.commit()
    log.info("ran job %s: %s of wave %s", job.id, job.kind, job.wave_id)
    if job.kind == "summary":
        await _summarise(application, job)
    if start:
        await _send_or_wait(application, services, job.wave_id)
    await sync_jobs(application)
    return True


async def _run_in_transaction(uow: Any, services: Services, job: JobRecord) -> bool:
    """Do a job's database part with its claim; True when invitations should be sent."""
    if job.kind == "open":
        await open_wave_in(uow, services, job.wave_id)
        return True
    if job.kind == "close":
        await close_wave_in(uow, services, job.wave_id)
        return False
    if job.kind == "reminder":
        wave = await uow.waves.get(job.wave_id)
        if wave is None or wave.status != "open":
            return False
        rules = ContactRules.from_stored(wave.contact_rules)
        created = await uow.invitations.create_reminders(
            job.wave_id,
            f"reminder-{job.id}",
            services.now(),
            due=job.run_at,
            max_reminders=rules.max_reminders,
            min_gap=rules.min_gap,
        )
        log.info("wave %s: %s reminders to send", job.wave_id, created)
        return True
    return job.kind == "invite"


async def _summarise(application: App, job: JobRecord) -> None:
    """Post the periodic summary, then plan the next one while the wave is open."""
    from bot.telegram.summary import post_summary  # charts load only when a summary is due

    services = _services(application)
    try:
        await post_summary(application.bot, services, job.wave_id)
    except Exception as exc:
        log.error("summary of wave %s failed: %s", job.wave_id, type(exc).__name__)
    async with services.uow() as uow:
        await uow.jobs.mark_done(job.id)
        wave = await uow.waves.get(job.wave_id)
        if wave is not None and wave.status == "open" and wave.summary_schedule:
            later = next_summary_time(wave.summary_schedule, services.now(), services.timezone)
            await uow.jobs.add("summary", wave.id, later)
        await uow.commit()


def start_sending(application: App, wave_id: int, progress: ProgressCallback | None = None) -> bool:
    """Start this process's sender for a wave unless one runs; False when one already does."""
    state = state_of(application)
    if progress is not None:
        state.progress[wave_id] = progress
    if wave_id in state.sending or application.job_queue is None:
        return False
    state.sending.add(wave_id)
    application.job_queue.run_once(
        _send, when=0, data=wave_id, name=f"wave-{wave_id}-send", job_kwargs=NO_MISFIRE
    )
    return True


async def _send(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: send a wave's pending invitations (stops when the bot stops)."""
    assert context.job is not None
    application = context.application
    assert isinstance(context.job.data, int)
    wave_id = context.job.data
    state = state_of(application)

    async def report(counts: dict[str, int]) -> None:
        callback = state.progress.get(wave_id)
        if callback is not None:
            await callback(counts)

    sender = InvitationSender(
        application.bot,
        _services(application),
        state.pacer,
        keep_going=lambda: application.running,
    )
    try:
        await sender.run(wave_id, report)
    finally:
        state.sending.discard(wave_id)
        state.progress.pop(wave_id, None)
