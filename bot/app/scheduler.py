"""Wave jobs (open, close, reminders, invitations, summaries) on APScheduler: stored in the
database, fired once, missed ones fired late, resumed after a restart; channel-neutral."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app.delivery import ChannelHolds, Delivery, NoSummaryChat, SummaryNotifier
from bot.app.invitations import CLAIM_LEASE, InvitationSender, Pacer, ProgressCallback
from bot.app.maintenance import plan_maintenance
from bot.app.services import Services
from bot.app.waves import WaveError, close_wave_in, next_summary_time, open_wave_in
from storage.db import UnitOfWork
from storage.records import JobRecord
from surveys.modes import Channel
from surveys.schedule import InvitationState, JobKind, JobState, reminder_kind
from surveys.sending import ContactRules
from surveys.waves import WaveStatus

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0
"""How often the table is read for jobs the CLI (or another process) added."""
JOB_DEFAULTS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}
"""A job that fires late (busy loop, slow start) still runs, once: never a silent skip."""
JOB_LEASE = timedelta(minutes=15)
"""A job still ``running`` this long after it was claimed belongs to a process that died."""
MAX_JOB_RETRIES = 3
"""How often a job found dead is run again before it is given up (a crash loop stops)."""
RETRIED_AFTER_CRASH: dict[JobKind, str] = {
    JobKind.OPEN: "the opening re-checks the wave's status, so an open wave is not opened twice",
    JobKind.CLOSE: "the closing re-checks the wave's status, so a closed wave is not closed twice",
    JobKind.REMINDER: "reminders are rows unique per resident and reminder: nobody gets one twice",
    JobKind.INVITE: "it only starts the sender, which claims each invitation once",
    JobKind.SUMMARY: "a summary may be posted twice, which is better than never planning the next",
}
"""Why each kind of job is safe to run again after its process died while running it.

open, close, reminder and invite do their work in the transaction that claims and finishes
them, so a crash rolls the claim back with it; only the summary (posted to the staff chat
after its claim commits) is normally left ``running`` by a crash.
"""


def _at(seconds: float) -> datetime:
    """The wall-clock moment `seconds` from now (APScheduler runs on the wall clock)."""
    return datetime.now(UTC) + timedelta(seconds=max(0.0, seconds))


class WaveJobs:
    """This process's wave jobs and sending: one per process, started and stopped with it."""

    def __init__(
        self,
        services: Services,
        deliveries: Mapping[Channel, Delivery],
        summaries: SummaryNotifier | None = None,
        *,
        pacer: Pacer | None = None,
        poll_seconds: float | None = None,
        maintenance: bool = True,
    ) -> None:
        self.services = services
        self.deliveries = dict(deliveries)
        self.summaries: SummaryNotifier = summaries or NoSummaryChat()
        self.pacer = pacer or Pacer()
        self.poll_seconds = POLL_SECONDS if poll_seconds is None else poll_seconds
        self.maintenance = maintenance
        self.scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        self.registered: dict[int, datetime] = {}
        self.sending: set[int] = set()
        self.progress: dict[int, ProgressCallback] = {}
        self.wakeups: dict[int, datetime] = {}
        """Waves whose waiting messages this process starts sending at a later time."""
        self.holds = ChannelHolds(services.now)
        """Channels this process sends nothing on for now (their quota is used up)."""
        self.running = False
        self._senders: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[Any]] = set()
        """The scheduler's wave jobs running now (finished, not cancelled, at stop)."""

    async def start(self) -> None:
        """Register every pending job (missed ones fire now, once), resume sending, poll."""
        self.scheduler.start()
        self.running = True
        if self.maintenance:
            plan_maintenance(self.scheduler, self.services)
        await self.sync()
        self.scheduler.add_job(
            self._poll,
            trigger="interval",
            seconds=self.poll_seconds,
            id="wave-poll",
            next_run_time=_at(self.poll_seconds),
        )

    async def stop(self) -> None:
        """Stop firing jobs; senders give back what they have not sent; close the channels."""
        self.running = False
        if self.scheduler.running:
            self.scheduler.pause()
            await asyncio.gather(*self._busy, return_exceptions=True)
            self.scheduler.shutdown(wait=False)
        if self._senders:
            await asyncio.gather(*self._senders, return_exceptions=True)
        for delivery in self.deliveries.values():
            await delivery.close()

    def _once(
        self, job: Callable[..., Awaitable[Any]], seconds: float, name: str, *args: Any
    ) -> None:
        """Run `job(*args)` once, `seconds` from now (a job of that name is replaced)."""
        self.scheduler.add_job(
            job, trigger="date", run_date=_at(seconds), args=args, id=name, replace_existing=True
        )

    async def _tracked(self, work: Awaitable[Any]) -> None:
        """Run a scheduled job's work so that stop() lets it finish."""
        task = asyncio.ensure_future(work)
        self._busy.add(task)
        try:
            await asyncio.shield(task)
        finally:
            self._busy.discard(task)

    async def _poll(self) -> None:
        """The periodic look at the jobs table."""
        await self._tracked(self.sync())

    async def sync(self) -> int:
        """Register pending jobs not yet scheduled and start senders for unsent invitations."""
        if not self.running:
            return 0
        services = self.services
        now = services.now()
        async with services.uow() as uow:
            await _revive_dead_jobs(uow, now)
            await uow.invitations.fail_stale_claims(now - CLAIM_LEASE, now)
            await uow.commit()
            pending = await uow.jobs.pending()
            unsent = await uow.invitations.waves_with_unclaimed()
        added = 0
        for job in pending:
            if self.registered.get(job.id) == job.run_at:
                continue
            self.registered[job.id] = job.run_at
            delay = (job.run_at - now).total_seconds()
            self._once(self._fire, delay, f"job-{job.id}", job.id, job.run_at)
            added += 1
        for wave_id in unsent:
            await self._send_or_wait(wave_id)
        return added

    async def _send_or_wait(self, wave_id: int) -> None:
        """Send a wave's waiting messages now if its sending hours allow, else wake up then."""
        now = self.services.now()
        async with self.services.uow() as uow:
            resume = await resume_time(uow, self.services, wave_id, now, self.holds.held())
        if resume is None:
            return
        if resume <= now:
            self.start_sending(wave_id)
            return
        if self.wakeups.get(wave_id) == resume or not self.running:
            return
        self.wakeups[wave_id] = resume
        self._once(self._wake, (resume - now).total_seconds(), f"wave-{wave_id}-resume", wave_id)
        log.info(
            "wave %s: messages wait for the sending hours until %s", wave_id, resume.isoformat()
        )

    async def _wake(self, wave_id: int) -> None:
        """The sending hours opened (or a gap passed) for a wave's messages."""
        self.wakeups.pop(wave_id, None)
        await self._tracked(self._send_or_wait(wave_id))

    async def _fire(self, job_id: int, run_at: datetime) -> None:
        """Run one stored job at its time."""
        await self._tracked(self.run_job(job_id, run_at))

    async def run_job(self, job_id: int, run_at: datetime | None = None) -> bool:
        """Claim a stored job atomically and run it; False when it was not ours to run."""
        services = self.services
        self.registered.pop(job_id, None)
        now = services.now()
        async with services.uow() as uow:
            job = await uow.jobs.get(job_id)
            if (
                job is None
                or job.state is not JobState.PENDING
                or (run_at is not None and job.run_at != run_at)
            ):
                return False
            if not await uow.jobs.mark_fired(job_id, now):
                return False
            try:
                start = await _run_in_transaction(uow, services, job)
            except WaveError as exc:
                log.warning(
                    "job %s (%s of wave %s) not done: %s", job.id, job.kind, job.wave_id, exc
                )
                start = False
            if job.kind is not JobKind.SUMMARY:
                await uow.jobs.mark_done(job_id)
            await uow.commit()
        log.info("ran job %s: %s of wave %s", job.id, job.kind, job.wave_id)
        if job.kind is JobKind.SUMMARY:
            await self._summarise(job)
        if start:
            await self._send_or_wait(job.wave_id)
        await self.sync()
        return True

    async def _summarise(self, job: JobRecord) -> None:
        """Post the periodic summary, then plan the next one while the wave is open."""
        services = self.services
        try:
            await self.summaries.post(job.wave_id)
        except Exception as exc:
            log.error("summary of wave %s failed: %s", job.wave_id, type(exc).__name__)
        async with services.uow() as uow:
            await uow.jobs.mark_done(job.id)
            wave = await uow.waves.get(job.wave_id)
            if wave is not None and wave.status == WaveStatus.OPEN and wave.summary_schedule:
                later = next_summary_time(wave.summary_schedule, services.now(), services.timezone)
                await uow.jobs.add(JobKind.SUMMARY, wave.id, later)
            await uow.commit()

    def start_sending(self, wave_id: int, progress: ProgressCallback | None = None) -> bool:
        """Start this process's sender for a wave unless one runs; False when one already does."""
        if progress is not None:
            self.progress[wave_id] = progress
        if wave_id in self.sending or not self.running:
            return False
        self.sending.add(wave_id)
        task = asyncio.get_running_loop().create_task(
            self._send(wave_id), name=f"wave-{wave_id}-send"
        )
        self._senders.add(task)
        task.add_done_callback(self._senders.discard)
        return True

    async def _send(self, wave_id: int) -> None:
        """Send a wave's pending invitations (when the process stops, the rest is given back)."""

        async def report(counts: dict[InvitationState, int]) -> None:
            callback = self.progress.get(wave_id)
            if callback is not None:
                await callback(counts)

        sender = InvitationSender(
            self.deliveries,
            self.services,
            self.pacer,
            keep_going=lambda: self.running,
            holds=self.holds,
        )
        try:
            await sender.run(wave_id, report)
        except Exception:
            log.exception("sending the messages of wave %s failed", wave_id)
        finally:
            self.sending.discard(wave_id)
            self.progress.pop(wave_id, None)


async def resume_time(
    uow: UnitOfWork,
    services: Services,
    wave_id: int,
    now: datetime,
    held: frozenset[Channel] = frozenset(),
) -> datetime | None:
    """When the wave's waiting messages may go (sending hours and gaps); None: none waits
    (messages on ``held`` channels do not count: the poll looks again once the hold ends).

    ``now`` itself when they may go now (one clock read, so "now" is never a moment later)."""
    wave = await uow.waves.get(wave_id)
    if wave is None:
        return None
    due = await uow.invitations.next_due(wave_id, now, held)
    if due is None:
        return None
    return ContactRules.from_stored(wave.contact_rules).next_send_time(due, services.timezone)


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
                RETRIED_AFTER_CRASH[job.kind],
            )


async def _run_in_transaction(uow: Any, services: Services, job: JobRecord) -> bool:
    """Do a job's database part with its claim; True when invitations should be sent."""
    if job.kind is JobKind.OPEN:
        await open_wave_in(uow, services, job.wave_id)
        return True
    if job.kind is JobKind.CLOSE:
        await close_wave_in(uow, services, job.wave_id)
        return False
    if job.kind is JobKind.REMINDER:
        wave = await uow.waves.get(job.wave_id)
        if wave is None or wave.status != WaveStatus.OPEN:
            return False
        rules = ContactRules.from_stored(wave.contact_rules)
        created = await uow.invitations.create_reminders(
            job.wave_id,
            reminder_kind(job.id),
            services.now(),
            due=job.run_at,
            max_reminders=rules.max_reminders,
            min_gap=rules.min_gap,
        )
        log.info("wave %s: %s reminders to send", job.wave_id, created)
        return True
    return job.kind is JobKind.INVITE
