"""`machikoe export responses`: one row per response, pseudonymous, safe to open in Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from analysis.safe_cells import write_table
from bot.catalog import survey_for_wave
from bot.commands._shared import with_services
from bot.services import Services
from storage.records import PROFILE_FIELDS, ExportRow

FORMATS = ("csv", "xlsx")


def export_header(question_ids: tuple[str, ...]) -> list[str]:
    """The export's columns: a public contract shared with `machikoe import responses`."""
    return ["respondent", "status", "submitted_at", *PROFILE_FIELDS, *question_ids]


def export_cells(row: ExportRow, question_ids: tuple[str, ...], services: Services) -> list[Any]:
    """One response as cells (times in the staff time zone, missing values empty)."""
    submitted = (
        row.submitted_at.astimezone(services.timezone).isoformat() if row.submitted_at else ""
    )
    return [
        row.respondent,
        row.status,
        submitted,
        *(row.profile.get(name) or "" for name in PROFILE_FIELDS),
        *(row.answers.get(qid) or "" for qid in question_ids),
    ]


@click.group("export")
def export_group() -> None:
    """Export data (never chat ids)."""


@export_group.command("responses")
@click.option("--wave", "wave_id", type=int, required=True, help="Wave id.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def export_responses_command(ctx: click.Context, wave_id: int, fmt: str, output: Path) -> None:
    """Write a wave's responses (complete and partial) to a CSV or XLSX file."""

    async def work(services: Services) -> int:
        async with services.uow() as uow:
            wave = await uow.waves.get(wave_id)
            if wave is None:
                raise LookupError(f"no wave {wave_id}")
            survey = await survey_for_wave(uow, wave)
            question_ids = survey.question_ids
            rows = [
                export_cells(row, question_ids, services)
                async for row in uow.responses.iter_export_rows(wave_id)
            ]
        write_table(output, export_header(question_ids), rows, fmt, f"wave {wave_id}")
        return len(rows)

    count = with_services(ctx, work)
    click.echo(f"exported {count} responses to {output}")
