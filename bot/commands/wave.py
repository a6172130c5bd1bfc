"""`machikoe wave`: plan, schedule, open, close and watch survey waves."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import click

from bot.cli import CliError
from bot.commands._shared import settings_of, with_services

if TYPE_CHECKING:
    from bot.results_back import ResultsBack
    from bot.services import Services
    from bot.waves import WaveDetails
    from storage.overview import WaveLine
    from storage.records import WaveRecord

# `wave list` reads through SQLAlchemy Core alone (storage/overview.py): the wave operations and
# the ORM behind them are imported by the commands that use them, so the listing starts in a
# fraction of a second (bench/cli_bench.py).


def _when(value: datetime | None, zone: tzinfo) -> str:
    """A time in the staff's time zone, or a dash."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "-"


def _rate(rate: float | None) -> str:
    """Completion rate as a percentage, or a dash when nobody started."""
    return "-" if rate is None else f"{rate:.0%}"


def describe(details: WaveDetails, zone: tzinfo) -> list[str]:
    """The lines of `wave show`."""
    from bot.wave_plans import audience_text, rules_text

    wave, counts = details.wave, details.counts
    lines = [
        f"wave {wave.id}: {wave.name}",
        f"survey: {wave.survey_id}"
        + (f" (definition #{wave.definition_id} frozen)" if wave.definition_id else ""),
        f"status: {wave.status}",
        f"opens: {_when(wave.opens_at, zone)}  closes: {_when(wave.closes_at, zone)}",
        f"audience: {audience_text(wave.audience)}",
        f"reminders: {', '.join(wave.reminders) or '-'}",
        "summary: "
        + (
            f"{wave.summary_schedule['day']} {wave.summary_schedule['time']}"
            if wave.summary_schedule
            else "-"
        ),
        f"results embargo: {'lifted' if wave.embargo_lifted else 'until closing'}",
        f"sending: {rules_text(wave.contact_rules)}",
        f"invitations: {details.invitations_done}/{details.invitations_total} processed "
        + "("
        + ", ".join(f"{state} {n}" for state, n in details.invitations.items())
        + ")",
        f"invited: {counts.invited}  started: {counts.started}  completed: {counts.completed}"
        f"  completion rate: {_rate(counts.completion_rate)}",
    ]
    if counts.by_age_band:
        bands = ", ".join(f"{band} {n}" for band, n in sorted(counts.by_age_band.items()))
        lines.append(f"completed by age band: {bands}")
    if details.waiting:
        lines.append(
            f"waiting: {details.waiting} messages, next sending {_when(details.resume_at, zone)}"
        )
    if wave.results_sent_at is not None:
        lines.append(f"results sent back: {_when(wave.results_sent_at, zone)}")
    pending = [job for job in details.jobs if job.state == "pending"]
    for job in pending:
        lines.append(f"next: {job.kind} at {_when(job.run_at, zone)}")
    return lines


@click.group("wave")
def wave_group() -> None:
    """Survey waves: create, edit or delete a draft, schedule, open, close, show."""


@dataclass(frozen=True)
class PlanInput:
    """A wave's plan options as typed; an option not given is None (or empty)."""

    name: str | None
    opens: str | None
    closes: str | None
    audience: tuple[str, ...]
    reminders: tuple[str, ...]
    summary: str | None
    send_window: str | None
    max_reminders: int | None
    min_gap: str | None

    def parsed(self, zone: tzinfo, now: datetime) -> dict[str, Any]:
        """The options given, as `create_wave` and `edit_wave` take them."""
        from bot.wave_plans import (
            parse_audience,
            parse_reminder,
            parse_rules,
            parse_summary,
            parse_time,
        )

        plan = {
            "name": self.name,
            "opens_at": parse_time(self.opens, zone, now) if self.opens else None,
            "closes_at": parse_time(self.closes, zone, now) if self.closes else None,
            "audience": parse_audience(self.audience) if self.audience else None,
            "reminders": [parse_reminder(text, zone, now) for text in self.reminders] or None,
            "summary": parse_summary(self.summary) if self.summary else None,
            "rules": parse_rules(self.send_window, self.max_reminders, self.min_gap) or None,
        }
        return {key: value for key, value in plan.items() if value is not None}


_PLAN_OPTIONS = (
    click.option("--name", help="Wave name (default: survey and opening date)."),
    click.option(
        "--opens", help="Opening time: ISO (Asia/Tokyo unless an offset is given) or +2d from now."
    ),
    click.option("--closes", help="Closing time: ISO or +14d / +12h from now."),
    click.option(
        "--audience", "audience", multiple=True, help="Profile filter, e.g. age_band=20s,30s."
    ),
    click.option(
        "--reminder", "reminders", multiple=True, help="Reminder: 3d / 12h before closing, or ISO."
    ),
    click.option("--summary", help='Periodic summary, e.g. "mon 09:00" or "daily 18:00".'),
    click.option(
        "--send-window",
        help="Hours (Asia/Tokyo) when messages go out, e.g. 10:00-19:00 (default 09:00-20:00).",
    ),
    click.option(
        "--max-reminders",
        type=click.IntRange(min=0),
        help="At most this many reminders per resident (default 2).",
    ),
    click.option(
        "--min-gap", help="Least time between two messages to one resident, e.g. 24h or 2d."
    ),
)


def _plan_options(command: Callable[..., None]) -> Callable[..., None]:
    """The plan options `wave create` and `wave edit` share, handed over as one PlanInput."""

    @functools.wraps(command)
    def with_plan(*args: Any, **options: Any) -> None:
        fields = {name: options.pop(name) for name in PlanInput.__dataclass_fields__}
        command(*args, plan=PlanInput(**fields), **options)

    for option in reversed(_PLAN_OPTIONS):
        with_plan = option(with_plan)
    return with_plan


def _plan_line(verb: str, wave: WaveRecord, zone: tzinfo) -> str:
    """What `wave create` and `wave edit` say about the draft."""
    from bot.wave_plans import audience_text

    return (
        f"{verb} draft wave {wave.id} ({wave.name}): {wave.survey_id}, "
        f"opens {_when(wave.opens_at, zone)}, closes {_when(wave.closes_at, zone)}, "
        f"audience {audience_text(wave.audience)}"
    )


@wave_group.command("create")
@click.option("--survey", "survey_id", required=True, help="Survey id (loaded or bundled).")
@_plan_options
@click.pass_context
def create_command(ctx: click.Context, survey_id: str, plan: PlanInput) -> None:
    """Plan a draft wave; prints its id as the last line."""
    from bot.waves import create_wave

    async def work(services: Services) -> WaveRecord:
        fields = plan.parsed(services.timezone, services.now())
        return await create_wave(services, survey_id=survey_id, **fields)

    wave = with_services(ctx, work)
    click.echo(_plan_line("created", wave, _zone(ctx)))
    click.echo(wave.id)


@wave_group.command("edit")
@click.argument("wave_id", metavar="WAVE", type=int)
@_plan_options
@click.pass_context
def edit_command(ctx: click.Context, wave_id: int, plan: PlanInput) -> None:
    """Change a draft wave's plan: only the options given (a list option replaces the list)."""
    from bot.waves import edit_wave

    async def work(services: Services) -> WaveRecord:
        fields = plan.parsed(services.timezone, services.now())
        return await edit_wave(services, wave_id, **fields)

    click.echo(_plan_line("edited", with_services(ctx, work), _zone(ctx)))


@wave_group.command("delete")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def delete_command(ctx: click.Context, wave_id: int) -> None:
    """Remove a draft wave (nothing was sent for it yet)."""
    from bot.waves import delete_wave

    wave = with_services(ctx, lambda services: delete_wave(services, wave_id))
    click.echo(f"deleted draft wave {wave.id} ({wave.name})")


def _zone(ctx: click.Context) -> tzinfo:
    """The staff's time zone from the settings."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings_of(ctx).timezone)


@wave_group.command("schedule")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def schedule_command(ctx: click.Context, wave_id: int) -> None:
    """Draft → scheduled: the running bot opens the wave at its opening time."""
    from bot.waves import schedule_wave

    wave = with_services(ctx, lambda services: schedule_wave(services, wave_id))
    click.echo(f"wave {wave.id} scheduled to open at {_when(wave.opens_at, _zone(ctx))}")


def _open(ctx: click.Context, wave_id: int, reopen: bool, closes: str | None, watch: bool) -> None:
    """Open or reopen, then optionally watch the running bot send the invitations."""
    from bot.wave_plans import parse_time
    from bot.waves import open_wave

    async def work(services: Services) -> tuple[int, int]:
        zone, now = services.timezone, services.now()
        closes_at = parse_time(closes, zone, now) if closes else None
        wave, invited = await open_wave(services, wave_id, reopen=reopen, closes_at=closes_at)
        return wave.id, invited

    opened, invited = with_services(ctx, work)
    verb = "reopened" if reopen else "opened"
    click.echo(
        f"{verb} wave {opened}: {invited} residents to invite; the running bot sends the "
        "invitations (see: machikoe wave show)"
    )
    if watch:
        _watch(ctx, opened)


def _watch(ctx: click.Context, wave_id: int, poll: float = 1.0) -> None:
    """A progress bar of sent invitations until none is pending or being sent."""
    from rich.progress import Progress

    from bot.waves import wave_details

    async def work(services: Services) -> None:
        with Progress() as bar:
            task = bar.add_task(f"wave {wave_id} invitations", total=None)
            while True:
                details = await wave_details(services, wave_id)
                bar.update(
                    task, total=details.invitations_total, completed=details.invitations_done
                )
                if details.invitations_done == details.invitations_total:
                    return
                if details.resume_at is not None and details.resume_at > services.now():
                    when = _when(details.resume_at, services.timezone)
                    bar.console.print(f"the rest waits for the sending hours: from {when}")
                    return
                await asyncio.sleep(poll)

    with_services(ctx, work)


@wave_group.command("open")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.option("--watch", is_flag=True, help="Show a progress bar while the bot sends.")
@click.pass_context
def open_command(ctx: click.Context, wave_id: int, watch: bool) -> None:
    """Open now: freeze the survey version and invite the audience."""
    _open(ctx, wave_id, False, None, watch)


@wave_group.command("reopen")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.option("--closes", help="New closing time, ISO or +7d (needed when the old one passed).")
@click.option("--watch", is_flag=True, help="Show a progress bar while the bot sends.")
@click.pass_context
def reopen_command(ctx: click.Context, wave_id: int, closes: str | None, watch: bool) -> None:
    """Reopen a closed wave (an explicit admin action; residents already invited are not)."""
    _open(ctx, wave_id, True, closes, watch)


@wave_group.command("close")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def close_command(ctx: click.Context, wave_id: int) -> None:
    """Close now: no more answers, unsent invitations and reminders are dropped."""
    from bot.waves import close_wave

    wave = with_services(ctx, lambda services: close_wave(services, wave_id))
    click.echo(f"closed wave {wave.id} at {_when(wave.closed_at, _zone(ctx))}")


@wave_group.command("lift-embargo")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def lift_embargo_command(ctx: click.Context, wave_id: int) -> None:
    """Let analysts see this wave's results before it closes."""
    from bot.waves import lift_embargo

    wave = with_services(ctx, lambda services: lift_embargo(services, wave_id))
    click.echo(f"wave {wave.id}: results embargo lifted")


@wave_group.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Waves with status and counts, newest first."""
    from sqlalchemy.exc import OperationalError

    from storage.connect import database_url
    from storage.overview import wave_lines

    settings = settings_of(ctx)
    try:
        waves = wave_lines(database_url(settings.database_url, settings.data_dir))
    except OSError as exc:
        raise CliError(str(exc)) from None
    except OperationalError as exc:  # the database is unreachable: the driver's first line
        raise CliError(str(exc.orig).strip().splitlines()[0]) from None
    if not waves:
        click.echo("no waves yet (machikoe wave create --survey ID)")
        return
    zone = _zone(ctx)
    header = ("id", "status", "name", "survey", "opens", "closes", "invited", "started", "done")
    rows = [header, *(_row(wave, zone) for wave in waves)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _row(wave: WaveLine, zone: tzinfo) -> tuple[str, ...]:
    """One line of `wave list`."""
    return (
        str(wave.id),
        wave.status,
        wave.name,
        wave.survey_id,
        _when(wave.opens_at, zone),
        _when(wave.closes_at, zone),
        str(wave.invited),
        str(wave.started),
        f"{wave.completed} ({_rate(wave.completion_rate)})",
    )


@wave_group.command("show")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def show_command(ctx: click.Context, wave_id: int) -> None:
    """A wave's plan, invitation progress and live counts (by age band)."""
    from bot.waves import wave_details

    details = with_services(ctx, lambda services: wave_details(services, wave_id))
    for line in describe(details, _zone(ctx)):
        click.echo(line)


_MESSAGE = click.option("--message", help="Words or a link from the city to add to the results.")


def _results_lines(verb: str, back: ResultsBack, zone: tzinfo) -> list[str]:
    """What `results-preview` and `send-results` print: the reach, the time, the message."""
    from surveys.sending import ContactRules

    window = ContactRules.from_stored(back.wave.contact_rules).window
    return [
        f"wave {back.wave.id}: results {verb} {back.recipients} residents who answered and "
        f"are still subscribed, from {_when(back.sends_from, zone)} (sending hours {window})",
        "---",
        back.text,
    ]


@wave_group.command("results-preview")
@click.argument("wave_id", metavar="WAVE", type=int)
@_MESSAGE
@click.pass_context
def results_preview_command(ctx: click.Context, wave_id: int, message: str | None) -> None:
    """Show the results message a closed wave's participants would get (nothing is sent)."""
    from bot.results_back import preview_results

    back = with_services(ctx, lambda services: preview_results(services, wave_id, message))
    for line in _results_lines("would go to", back, _zone(ctx)):
        click.echo(line)


@wave_group.command("send-results")
@click.argument("wave_id", metavar="WAVE", type=int)
@_MESSAGE
@click.pass_context
def send_results_command(ctx: click.Context, wave_id: int, message: str | None) -> None:
    """Send a closed wave's results to its participants, once (the running bot sends them)."""
    from bot.results_back import send_results

    back = with_services(ctx, lambda services: send_results(services, wave_id, message))
    for line in _results_lines("go to", back, _zone(ctx))[:1]:
        click.echo(line)
