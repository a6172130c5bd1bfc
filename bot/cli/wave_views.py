"""`machikoe wave` commands that show waves: list, show, and the results message to send back."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import click

from bot.cli import CliError
from bot.cli._shared import settings_of, with_services
from surveys.modes import ResponseMode
from surveys.schedule import JobState

if TYPE_CHECKING:
    from bot.app.results_back import ResultsBack
    from bot.app.waves import WaveDetails
    from storage.overview import WaveLine

# `wave list` reads through SQLAlchemy Core alone (storage/overview.py): the wave operations and
# the ORM behind them are imported by the commands that use them, so the listing starts in a
# fraction of a second (bench/cli_bench.py).


def local_time(value: datetime | None, zone: tzinfo) -> str:
    """A time in the staff's time zone, or a dash."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "-"


def _rate(rate: float | None) -> str:
    """Completion rate as a percentage, or a dash when nobody started."""
    return "-" if rate is None else f"{rate:.0%}"


def zone_of(ctx: click.Context) -> tzinfo:
    """The staff's time zone from the settings."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings_of(ctx).timezone)


def describe(details: WaveDetails, zone: tzinfo) -> list[str]:
    """The lines of `wave show`."""
    from bot.app.wave_plans import audience_text, rules_text

    wave, counts = details.wave, details.counts
    lines = [
        f"wave {wave.id}: {wave.name}",
        f"survey: {wave.survey_id}"
        + (f" (definition #{wave.definition_id} frozen)" if wave.definition_id else ""),
        f"status: {wave.status}",
        f"opens: {local_time(wave.opens_at, zone)}  closes: {local_time(wave.closes_at, zone)}",
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
        resume = local_time(details.resume_at, zone)
        lines.append(f"waiting: {details.waiting} messages, next sending {resume}")
    if wave.results_sent_at is not None:
        lines.append(f"results sent back: {local_time(wave.results_sent_at, zone)}")
    pending = [job for job in details.jobs if job.state is JobState.PENDING]
    for job in pending:
        lines.append(f"next: {job.kind} at {local_time(job.run_at, zone)}")
    return lines


CHANNEL_LABELS = {
    ResponseMode.CHAT: "Telegram",
    ResponseMode.LINE: "LINE",
    ResponseMode.MAIL: "mail",
    ResponseMode.WEB: "web",
}
"""A response mode as `wave show`'s counts by channel name it."""


def channels_line(details: WaveDetails) -> str:
    """`wave show`'s counts by channel (each channel's residents are its own respondents)."""
    if not details.by_channel:
        return "by channel: -"
    parts = [
        f"{CHANNEL_LABELS.get(c.mode, c.mode)} started {c.started} completed {c.completed}"
        for c in details.by_channel
    ]
    return "by channel: " + "; ".join(parts)


@click.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Waves with status, audience channel and counts, newest first."""
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
    zone = zone_of(ctx)
    header = (
        "id",
        "status",
        "name",
        "survey",
        "channel",
        "opens",
        "closes",
        "invited",
        "started",
        "done",
    )
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
        wave.channel.value,
        local_time(wave.opens_at, zone),
        local_time(wave.closes_at, zone),
        str(wave.invited),
        str(wave.started),
        f"{wave.completed} ({_rate(wave.completion_rate)})",
    )


@click.command("show")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def show_command(ctx: click.Context, wave_id: int) -> None:
    """A wave's plan, invitation progress and live counts (by age band)."""
    from bot.app.waves import wave_details

    details = with_services(ctx, lambda services: wave_details(services, wave_id))
    for line in describe(details, zone_of(ctx)):
        click.echo(line)
    click.echo(channels_line(details))


_MESSAGE = click.option("--message", help="Words or a link from the city to add to the results.")


def _results_lines(verb: str, back: ResultsBack, zone: tzinfo) -> list[str]:
    """What `results-preview` and `send-results` print: the reach, the time, the message."""
    from surveys.sending import ContactRules

    window = ContactRules.from_stored(back.wave.contact_rules).window
    return [
        f"wave {back.wave.id}: results {verb} {back.recipients} residents who answered and "
        f"are still subscribed, from {local_time(back.sends_from, zone)} (sending hours {window})",
        "---",
        back.text,
    ]


@click.command("results-preview")
@click.argument("wave_id", metavar="WAVE", type=int)
@_MESSAGE
@click.pass_context
def results_preview_command(ctx: click.Context, wave_id: int, message: str | None) -> None:
    """Show the results message a closed wave's participants would get (nothing is sent)."""
    from bot.app.results_back import preview_results

    back = with_services(ctx, lambda services: preview_results(services, wave_id, message))
    for line in _results_lines("would go to", back, zone_of(ctx)):
        click.echo(line)


@click.command("send-results")
@click.argument("wave_id", metavar="WAVE", type=int)
@_MESSAGE
@click.pass_context
def send_results_command(ctx: click.Context, wave_id: int, message: str | None) -> None:
    """Send a closed wave's results to its participants, once (the running bot sends them)."""
    from bot.app.results_back import send_results

    back = with_services(ctx, lambda services: send_results(services, wave_id, message))
    for line in _results_lines("go to", back, zone_of(ctx))[:1]:
        click.echo(line)
