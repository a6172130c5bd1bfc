"""Wave operations staff run from the bot or the CLI: plan, schedule, open, close, watch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.app.catalog import ensure_bundled_surveys
from bot.app.services import Services, committed
from bot.app.wave_plans import WaveError, merge_rules, next_summary_time, reminder_time
from bot.app.wave_plans import audience_text as audience_text  # the staff screens show it
from storage.db import UnitOfWork
from storage.overview import ChannelCounts, channel_counts, channel_counts_statement
from storage.records import JobRecord, WaveCounts, WaveRecord
from surveys.bundled import bundled_surveys
from surveys.modes import AudienceChannel as AudienceChannel  # the console's form offers them
from surveys.modes import audience_channel as audience_channel  # and its Waves page shows it
from surveys.modes import with_audience_channel
from surveys.schedule import WAITING, InvitationState, JobKind
from surveys.sending import ContactRules
from surveys.waves import (
    PlanChange,
    WaveRuleError,
    WaveStatus,
    check_draft_only,
    check_single_open,
    check_transition,
)

WAVE_CLOSED_REASON = "the wave closed before this was sent"


def on_channel(audience: dict[str, list[str]], channel: str) -> dict[str, list[str]]:
    """The audience reaching residents through this channel (both: no channel filter)."""
    if channel not in set(AudienceChannel):
        raise WaveError(f'unknown channel "{channel}"; use telegram, line or both')
    return with_audience_channel(audience, AudienceChannel(channel))


@dataclass(frozen=True)
class WaveDetails:
    """A wave with its live counts, invitation progress and scheduled jobs."""

    wave: WaveRecord
    counts: WaveCounts
    invitations: dict[InvitationState, int] = field(default_factory=dict)
    jobs: list[JobRecord] = field(default_factory=list)
    waiting: int = 0
    """Messages of every kind (invitations, reminders, results) not sent nor claimed yet."""
    resume_at: datetime | None = None
    """When the pending messages may go (sending hours, gaps); None when none is pending."""
    by_channel: tuple[ChannelCounts, ...] = ()
    """Invited, sent, started and completed by mode (Telegram's chat, LINE, imported ones)."""

    @property
    def invitations_total(self) -> int:
        """Invitations created for the wave (every state)."""
        return sum(self.invitations.values())

    @property
    def invitations_done(self) -> int:
        """Invitations with an outcome (sent, failed or blocked): not pending nor sending."""
        return self.invitations_total - sum(self.invitations.get(state, 0) for state in WAITING)


# -- operations -----------------------------------------------------------------------------------
async def _require(uow: UnitOfWork, wave_id: int) -> WaveRecord:
    """The wave, or a one-line error."""
    wave = await uow.waves.get(wave_id)
    if wave is None:
        raise WaveError(f"wave {wave_id} does not exist")
    return wave


def _check(current: str, target: WaveStatus, wave_id: int, *, override: bool = False) -> None:
    """Apply the lifecycle rules, naming the wave in the error."""
    try:
        check_transition(current, target, admin_override=override)
    except WaveRuleError as exc:
        raise WaveError(f"wave {wave_id}: {exc}") from None


def _check_times(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> None:
    """A wave closes after it opens, and not in the past."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise WaveError("the wave must close after it opens")
    if closes_at and closes_at <= now:
        raise WaveError("the closing time is in the past")


def _check_draft(status: str, change: PlanChange, wave_id: int) -> None:
    """Only a draft's plan changes, naming the wave in the error."""
    try:
        check_draft_only(status, change)
    except WaveRuleError as exc:
        raise WaveError(f"wave {wave_id}: {exc}") from None


async def create_wave_in(
    uow: UnitOfWork,
    services: Services,
    *,
    survey_id: str,
    name: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    audience: dict[str, list[str]] | None = None,
    reminders: Sequence[str] = (),
    summary: dict[str, str] | None = None,
    rules: dict[str, Any] | None = None,
    channel: str | None = None,
) -> WaveRecord:
    """Plan a draft wave of a loaded or bundled survey (rules: sending hours, reminder cap;
    channel: telegram, line or both, put into the audience)."""
    now = services.now()
    if channel is not None:
        audience = on_channel(audience or {}, channel)
    _check_times(opens_at, closes_at, now)
    await ensure_bundled_surveys(uow, now)
    if await uow.surveys.get(survey_id) is None:
        known = sorted({r.survey_id for r in await uow.surveys.list_latest()})
        known = known or list(bundled_surveys())
        raise WaveError(f'unknown survey "{survey_id}"; loaded: {", ".join(known)}')
    default_name = f"{survey_id} {(opens_at or now).astimezone(services.timezone):%Y-%m-%d}"
    return await uow.waves.create(
        name=name or default_name,
        survey_id=survey_id,
        at=now,
        opens_at=opens_at,
        closes_at=closes_at,
        audience=audience or {},
        reminders=list(reminders),
        summary_schedule=summary,
        contact_rules=merge_rules(None, rules or {}),
    )


async def edit_wave_in(
    uow: UnitOfWork,
    services: Services,
    wave_id: int,
    *,
    name: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    audience: dict[str, list[str]] | None = None,
    reminders: Sequence[str] | None = None,
    summary: dict[str, str] | None = None,
    rules: dict[str, Any] | None = None,
    channel: str | None = None,
) -> WaveRecord:
    """Change a draft wave's plan: the fields given (not None), as `create_wave` takes them
    (a channel alone keeps the draft's profile filters)."""
    if channel is not None:
        on_channel(audience or {}, channel)  # refused before anything is read
    planned = {
        "name": name,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "audience": audience,
        "reminders": None if reminders is None else list(reminders),
        "summary_schedule": summary,
    }
    fields = {column: value for column, value in planned.items() if value is not None}
    if not fields and not rules and channel is None:
        raise WaveError(f"wave {wave_id}: nothing to change (give e.g. --name or --closes)")
    wave = await _require(uow, wave_id)
    _check_draft(wave.status, PlanChange.EDIT, wave_id)
    if channel is not None:
        fields["audience"] = on_channel(wave.audience if audience is None else audience, channel)
    if rules:
        fields["contact_rules"] = merge_rules(wave.contact_rules, rules)
    opens = opens_at if opens_at is not None else wave.opens_at
    _check_times(opens, closes_at if closes_at is not None else wave.closes_at, services.now())
    return await uow.waves.update(wave_id, **fields)


async def delete_wave_in(uow: UnitOfWork, services: Services, wave_id: int) -> WaveRecord:
    """Remove a draft wave with anything planned for it; returns what it was."""
    wave = await _require(uow, wave_id)
    _check_draft(wave.status, PlanChange.DELETE, wave_id)
    await uow.waves.delete(wave_id, WaveStatus.DRAFT)
    return wave


async def schedule_wave_in(uow: UnitOfWork, services: Services, wave_id: int) -> WaveRecord:
    """Draft → scheduled: the wave opens by itself at its opening time."""
    wave = await _require(uow, wave_id)
    _check(wave.status, WaveStatus.SCHEDULED, wave_id)
    if wave.opens_at is None:
        raise WaveError(f"wave {wave_id} has no opening time; create it with --opens")
    await uow.jobs.add(JobKind.OPEN, wave_id, wave.opens_at)
    return await uow.waves.update_status(wave_id, WaveStatus.SCHEDULED, services.now())


async def open_wave_in(
    uow: UnitOfWork,
    services: Services,
    wave_id: int,
    *,
    reopen: bool = False,
    closes_at: datetime | None = None,
    progress: dict[str, int] | None = None,
) -> tuple[WaveRecord, int]:
    """Open now: freeze the survey version, invite the audience, schedule close and reminders;
    returns the wave and how many residents are invited."""
    now = services.now()
    wave = await _require(uow, wave_id)
    _check(wave.status, WaveStatus.OPEN, wave_id, override=reopen)
    others = [str(w.id) for w in await uow.waves.open_waves(wave.survey_id) if w.id != wave_id]
    try:
        check_single_open(wave.survey_id, others)
    except WaveRuleError as exc:
        raise WaveError(str(exc)) from None
    closes = closes_at or wave.closes_at
    if closes is not None and closes <= now:
        raise WaveError(f"wave {wave_id} would close in the past; give a new closing time")
    if closes_at is not None:
        wave = await uow.waves.update(wave_id, closes_at=closes_at)
    definition_id = wave.definition_id
    if definition_id is None:
        await ensure_bundled_surveys(uow, now)
        latest = await uow.surveys.get(wave.survey_id)
        if latest is None:
            raise WaveError(f'survey "{wave.survey_id}" is not loaded (machikoe survey load FILE)')
        definition_id = latest.id
    await uow.jobs.cancel(wave_id)
    wave = await uow.waves.update_status(wave_id, WaveStatus.OPEN, now, definition_id)
    gap = ContactRules.from_stored(wave.contact_rules).min_gap
    invited = await uow.invitations.invite_audience(wave_id, wave.audience, now, min_gap=gap)
    await uow.jobs.add(JobKind.INVITE, wave_id, now, progress)
    if wave.closes_at is not None:
        await uow.jobs.add(JobKind.CLOSE, wave_id, wave.closes_at)
    for reminder in wave.reminders:
        when = reminder_time(reminder, wave.closes_at)
        if when is not None and (wave.closes_at is None or when < wave.closes_at):
            # a time already past fires at once (late rather than never), see run_job
            await uow.jobs.add(JobKind.REMINDER, wave_id, when, {"reminder": reminder})
    if wave.summary_schedule:
        first = next_summary_time(wave.summary_schedule, now, services.timezone)
        await uow.jobs.add(JobKind.SUMMARY, wave_id, first)
    return wave, invited


async def close_wave_in(uow: UnitOfWork, services: Services, wave_id: int) -> WaveRecord:
    """Close now: stop its jobs and unsent invitations (a final summary follows when the wave
    has a summary schedule)."""
    now = services.now()
    wave = await _require(uow, wave_id)
    _check(wave.status, WaveStatus.CLOSED, wave_id)
    await uow.jobs.cancel(wave_id)
    await uow.invitations.cancel_pending(wave_id, now, WAVE_CLOSED_REASON)
    wave = await uow.waves.update_status(wave_id, WaveStatus.CLOSED, now)
    if wave.summary_schedule:
        await uow.jobs.add(JobKind.SUMMARY, wave_id, now, {"final": True})
    return wave


async def lift_embargo_in(uow: UnitOfWork, services: Services, wave_id: int) -> WaveRecord:
    """Let analysts see this wave's results before it closes."""
    wave = await _require(uow, wave_id)
    if wave.embargo_lifted:
        raise WaveError(f"wave {wave_id}: the results embargo is already lifted")
    if wave.status in (WaveStatus.DRAFT, WaveStatus.SCHEDULED):
        raise WaveError(f"wave {wave_id}: the wave has not opened; there are no results yet")
    await uow.waves.set_embargo_lifted(wave_id)
    return await _require(uow, wave_id)


# Each operation in the caller's unit of work (`*_in`, the console adds its audit entry to it)
# and in one of its own, committed when it succeeds.
create_wave = committed(create_wave_in)
edit_wave = committed(edit_wave_in)
delete_wave = committed(delete_wave_in)
schedule_wave = committed(schedule_wave_in)
open_wave = committed(open_wave_in)
close_wave = committed(close_wave_in)
lift_embargo = committed(lift_embargo_in)


def _progress(counts: dict[InvitationState, int]) -> dict[InvitationState, int]:
    """Invitation counts for staff: ``sending`` (claimed, in flight) only while there are any."""
    return {state: n for state, n in counts.items() if n or state is not InvitationState.SENDING}


async def _by_channel(uow: UnitOfWork, wave_id: int) -> tuple[ChannelCounts, ...]:
    """The wave's counts by mode, from storage's one query for them."""
    return channel_counts(await uow.session.execute(channel_counts_statement(wave_id)))


async def wave_details(services: Services, wave_id: int) -> WaveDetails:
    """A wave with its live counts, invitation progress and jobs."""
    async with services.uow() as uow:
        wave = await _require(uow, wave_id)
        due = await uow.invitations.next_due(wave_id, services.now())
        rules = ContactRules.from_stored(wave.contact_rules)
        every_kind = await uow.invitations.progress(wave_id, kind=None)
        return WaveDetails(
            wave=wave,
            counts=await uow.waves.counts(wave_id),
            invitations=_progress(await uow.invitations.progress(wave_id)),
            jobs=await uow.jobs.for_wave(wave_id),
            waiting=every_kind[InvitationState.PENDING],
            resume_at=None if due is None else rules.next_send_time(due, services.timezone),
            by_channel=await _by_channel(uow, wave_id),
        )


async def list_waves(services: Services) -> list[WaveDetails]:
    """Every wave, newest first, with its counts (no jobs)."""
    async with services.uow() as uow:
        waves = await uow.waves.list()
        return [
            WaveDetails(
                wave=wave,
                counts=await uow.waves.counts(wave.id),
                invitations=_progress(await uow.invitations.progress(wave.id)),
                by_channel=await _by_channel(uow, wave.id),
            )
            for wave in waves
        ]
