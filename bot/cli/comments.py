"""`machikoe comments export`: a wave's masked comments with goals and labels (no chat ids)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from analysis.safe_cells import write_table
from bot.app.services import Services
from bot.cli import CliError
from bot.cli._shared import settings_of, with_services
from storage.records import ReviewedComment
from surveys.codec import join_codes

log = logging.getLogger(__name__)

HEADER = (
    "comment",
    "wave",
    "created_at",
    "language",
    "goal",
    "goals",
    "confidence",
    "needs_review",
    "labels",
    "labeled_at",
    "text",
)


def check_raw_allowed(ctx: click.Context, raw: bool) -> None:
    """Refuse --raw where raw text is not kept (MACHIKOE_KEEP_RAW_COMMENTS off)."""
    if raw and not settings_of(ctx).keep_raw_comments:
        raise CliError("raw comments are not kept here (MACHIKOE_KEEP_RAW_COMMENTS is off)")


def log_raw_export(what: str, wave_id: int, count: int) -> None:
    """Leave a trace that unmasked text left the database (never the text itself)."""
    log.warning("wave %d: %d %s exported with unmasked text (--raw)", wave_id, count, what)


def comment_cells(item: ReviewedComment, services: Services) -> list[Any]:
    """One comment as cells: masked text, the classifier's verdict, the analyst's label."""
    comment = item.comment
    zone = services.timezone
    return [
        comment.id,
        comment.wave_id,
        comment.created_at.astimezone(zone).isoformat(),
        comment.language or "",
        comment.primary_goal or "",
        join_codes(comment.goals),
        "" if comment.confidence is None else f"{comment.confidence:.3f}",
        "true" if comment.needs_review else "false",
        join_codes(item.label) if item.label is not None else "",
        item.labeled_at.astimezone(zone).isoformat() if item.labeled_at else "",
        comment.masked_text,
    ]


@click.group("comments")
def comments_group() -> None:
    """Residents' comments (always masked; never chat ids)."""


@comments_group.command("export")
@click.option("--wave", "wave_id", type=int, required=True, help="Wave id.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--raw",
    is_flag=True,
    help="Add the unmasked text (only when MACHIKOE_KEEP_RAW_COMMENTS keeps it).",
)
@click.pass_context
def export_comments_command(ctx: click.Context, wave_id: int, output: Path, raw: bool) -> None:
    """Write a wave's comments to CSV: masked text, goals, confidence, review state, labels."""
    check_raw_allowed(ctx, raw)

    async def work(services: Services) -> int:
        async with services.uow() as uow:
            if await uow.waves.get(wave_id) is None:
                raise LookupError(f"no wave {wave_id}")
            rows = []
            for item in await uow.comments.reviewed_of_wave(wave_id):
                cells = comment_cells(item, services)
                if raw:
                    answer = await uow.answers.get(item.comment.answer_id)
                    cells.append(answer.value if answer and answer.value else "")
                rows.append(cells)
        header = [*HEADER, "raw_text"] if raw else list(HEADER)
        write_table(output, header, rows)
        return len(rows)

    count = with_services(ctx, work)
    if raw:
        log_raw_export("comments", wave_id, count)
    click.echo(f"exported {count} comments to {output}")
