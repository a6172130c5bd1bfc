"""`machikoe wave`: plan, schedule, open, close and watch survey waves."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import click

from bot.cli._shared import with_services
from bot.cli.wave_views import (
    list_command,
    local_time,
    results_preview_command,
    send_results_command,
    show_command,
    zone_of,
)
from surveys.modes import AudienceChannel

if TYPE_CHECKING:
    from bot.app.services import Services
    from storage.records import WaveRecord

# The wave operations (and the ORM behind them) are imported by the commands that use them: this
# module is loaded for `wave list` too, which must start in a fraction of a second.


@click.group("wave")
def wave_group() -> None:
    """Survey waves: create, edit or delete a draft, schedule, open, close, show."""


for _view in (list_command, show_command, results_preview_command, send_results_command):
    wave_group.add_command(_view)


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
    channel: str | None

    def parsed(self, zone: tzinfo, now: datetime) -> dict[str, Any]:
        """The options given, as `create_wave` and `edit_wave` take them."""
        from bot.app.wave_plans import (
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
        plan["channel"] = self.channel  # bot/app/waves.py puts it into the audience
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
    click.option(
        "--channel",
        type=click.Choice([choice.value for choice in AudienceChannel]),
        help="Residents reached through Telegram, LINE or both (default both).",
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
    from bot.app.wave_plans import audience_text

    return (
        f"{verb} draft wave {wave.id} ({wave.name}): {wave.survey_id}, "
        f"opens {local_time(wave.opens_at, zone)}, closes {local_time(wave.closes_at, zone)}, "
        f"audience {audience_text(wave.audience)}"
    )


@wave_group.command("create")
@click.option("--survey", "survey_id", required=True, help="Survey id (loaded or bundled).")
@_plan_options
@click.pass_context
def create_command(ctx: click.Context, survey_id: str, plan: PlanInput) -> None:
    """Plan a draft wave; prints its id as the last line."""
    from bot.app.waves import create_wave

    async def work(services: Services) -> WaveRecord:
        fields = plan.parsed(services.timezone, services.now())
        return await create_wave(services, survey_id=survey_id, **fields)

    wave = with_services(ctx, work)
    click.echo(_plan_line("created", wave, zone_of(ctx)))
    click.echo(wave.id)


@wave_group.command("edit")
@click.argument("wave_id", metavar="WAVE", type=int)
@_plan_options
@click.pass_context
def edit_command(ctx: click.Context, wave_id: int, plan: PlanInput) -> None:
    """Change a draft wave's plan: only the options given (a list option replaces the list)."""
    from bot.app.waves import edit_wave

    async def work(services: Services) -> WaveRecord:
        fields = plan.parsed(services.timezone, services.now())
        return await edit_wave(services, wave_id, **fields)

    click.echo(_plan_line("edited", with_services(ctx, work), zone_of(ctx)))


@wave_group.command("delete")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def delete_command(ctx: click.Context, wave_id: int) -> None:
    """Remove a draft wave (nothing was sent for it yet)."""
    from bot.app.waves import delete_wave

    wave = with_services(ctx, lambda services: delete_wave(services, wave_id))
    click.echo(f"deleted draft wave {wave.id} ({wave.name})")


@wave_group.command("schedule")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def schedule_command(ctx: click.Context, wave_id: int) -> None:
    """Draft → scheduled: the running bot opens the wave at its opening time."""
    from bot.app.waves import schedule_wave

    wave = with_services(ctx, lambda services: schedule_wave(services, wave_id))
    click.echo(f"wave {wave.id} scheduled to open at {local_time(wave.opens_at, zone_of(ctx))}")


def _open(ctx: click.Context, wave_id: int, reopen: bool, closes: str | None, watch: bool) -> None:
    """Open or reopen, then optionally watch the running bot send the invitations."""
    from bot.app.wave_plans import parse_time
    from bot.app.waves import open_wave

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

    from bot.app.waves import wave_details

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
                    when = local_time(details.resume_at, services.timezone)
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
    from bot.app.waves import close_wave

    wave = with_services(ctx, lambda services: close_wave(services, wave_id))
    click.echo(f"closed wave {wave.id} at {local_time(wave.closed_at, zone_of(ctx))}")


@wave_group.command("lift-embargo")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.pass_context
def lift_embargo_command(ctx: click.Context, wave_id: int) -> None:
    """Let analysts see this wave's results before it closes."""
    from bot.app.waves import lift_embargo

    wave = with_services(ctx, lambda services: lift_embargo(services, wave_id))
    click.echo(f"wave {wave.id}: results embargo lifted")
