"""`machikoe export responses`: one row per response, pseudonymous, masked, safe in Excel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from analysis.safe_cells import Sheet, write_csv, write_workbook
from analysis.text.pii import mask_personal_info
from bot.app.catalog import survey_for_wave
from bot.app.services import Services
from bot.cli import CliError
from bot.cli._shared import with_services
from bot.cli.comments import check_raw_allowed, log_raw_export
from storage.records import ExportRow
from surveys.codec import join_codes, split_codes
from surveys.definition import Question, QuestionType, Survey
from surveys.profile import PROFILE_FIELDS, profile_survey

FORMATS = ("csv", "xlsx")
OTHER_SUFFIX = "_other"
LABEL_SUFFIX = "_label"
SHEET_CODES = "回答"
SHEET_LABELS = "回答（ラベル付き）"
SHEET_CODEBOOK = "コードブック"
HIDDEN_TEXT = "（非表示）"
"""A comment staff hid in the console (moderation): its words never leave in an export."""
CODEBOOK_HEADER = ["question", "question_text", "code", "label"]


def profile_questions() -> tuple[Question, ...]:
    """The profile's questions (age band, sex, district, years lived), in export order."""
    survey = profile_survey()
    return tuple(survey.question(name) for name in PROFILE_FIELDS)


def export_header(survey: Survey, labels: bool = False) -> list[str]:
    """The export's columns: a public contract shared with `machikoe import responses`.

    Each question's column of codes is followed by its Japanese labels (only with `labels`)
    and, for a question with an 「その他」 choice, by what the resident wrote (QUESTION_other).
    """
    columns = ["respondent", "status", "submitted_at"]
    for question in (*profile_questions(), *survey.questions):
        columns.append(question.id)
        if labels and question.choices:
            columns.append(question.id + LABEL_SUFFIX)
        if question.other_choice is not None:
            columns.append(question.id + OTHER_SUFFIX)
    return columns


@dataclass(frozen=True)
class ExportShape:
    """How cells are written: the survey, the staff time zone, the file format, masked or raw."""

    survey: Survey
    zone: ZoneInfo
    fmt: str
    raw: bool = False


def moment_cell(moment: datetime | None, shape: ExportShape) -> datetime | str:
    """A time in the staff zone to the second: a real date in XLSX, ISO 8601 text in CSV."""
    if moment is None:
        return ""
    local = moment.astimezone(shape.zone).replace(microsecond=0)
    return local.replace(tzinfo=None) if shape.fmt == "xlsx" else local.isoformat()


def free_text(text: str | None, raw: bool) -> str:
    """A resident's own words: masked (personal information replaced) unless raw is asked."""
    if not text:
        return ""
    return text if raw else mask_personal_info(text).text


def code_labels(question: Question, value: str) -> str:
    """The Japanese labels of the codes in a stored value (an unknown code is kept as it is)."""
    labels = []
    for code in split_codes(value):
        choice = question.choice(code)
        labels.append(choice.label.text("ja") if choice else code)
    return join_codes(labels)


def question_cells(question: Question, value: str, other: str | None, raw: bool) -> dict[str, str]:
    """One question's cells: codes (or masked text), labels and 「その他」 text."""
    cells = {question.id: free_text(value, raw) if question.type == QuestionType.TEXT else value}
    if question.choices:
        cells[question.id + LABEL_SUFFIX] = code_labels(question, value)
    if question.other_choice is not None:
        cells[question.id + OTHER_SUFFIX] = free_text(other, raw)
    return cells


def response_cells(
    row: ExportRow, shape: ExportShape, hidden: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """One response as cells by column name (missing values empty, never a chat id); the
    questions in `hidden` hold a comment staff hid and show HIDDEN_TEXT instead."""
    cells: dict[str, Any] = {
        "respondent": row.respondent,
        "status": row.status,
        "submitted_at": moment_cell(row.submitted_at, shape),
    }
    for question in profile_questions():
        cells.update(question_cells(question, row.profile.get(question.id) or "", None, False))
    for question in shape.survey.questions:
        value = row.answers.get(question.id) or ""
        other = row.other_texts.get(question.id)
        cells.update(question_cells(question, value, other, shape.raw))
        if question.id in hidden and value:
            cells[question.id] = HIDDEN_TEXT
    return cells


def codebook_rows(survey: Survey) -> Iterator[list[Any]]:
    """Every column's question text, and each code with its Japanese label."""
    for question in (*profile_questions(), *survey.questions):
        text = question.label.text("ja")
        if not question.choices:
            yield [question.id, text, "", ""]
        for choice in question.choices or ():
            yield [question.id, text, choice.id, choice.label.text("ja")]
        if question.other_choice is not None:
            other_label = question.other_choice.label.text("ja")
            yield [question.id + OTHER_SUFFIX, f"{text}（{other_label}の内容）", "", ""]


def write_export(
    output: Path, shape: ExportShape, cells: list[dict[str, Any]], labels: bool
) -> None:
    """Write the responses: CSV (codes, with labels if asked), or XLSX with three sheets."""
    survey = shape.survey
    if shape.fmt == "csv":
        header = export_header(survey, labels)
        write_csv(output, header, ([row.get(c, "") for c in header] for row in cells))
        return
    codes, labelled = export_header(survey), export_header(survey, labels=True)
    write_workbook(
        output,
        [
            Sheet(SHEET_CODES, codes, ([row.get(c, "") for c in codes] for row in cells)),
            Sheet(SHEET_LABELS, labelled, ([row.get(c, "") for c in labelled] for row in cells)),
            Sheet(SHEET_CODEBOOK, CODEBOOK_HEADER, codebook_rows(survey)),
        ],
    )


@click.group("export")
def export_group() -> None:
    """Export data (never chat ids; residents' words masked)."""


@export_group.command("responses")
@click.option("--wave", "wave_id", type=int, required=True, help="Wave id.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--labels", is_flag=True, help="CSV: a QUESTION_label column of Japanese labels after codes."
)
@click.option(
    "--codebook",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the codebook (question, question text, code, label) to this CSV.",
)
@click.option(
    "--raw",
    is_flag=True,
    help="Admins only: unmasked free text (logged; needs MACHIKOE_KEEP_RAW_COMMENTS).",
)
@click.pass_context
def export_responses_command(
    ctx: click.Context,
    wave_id: int,
    fmt: str,
    output: Path,
    labels: bool,
    codebook: Path | None,
    raw: bool,
) -> None:
    """Write a wave's responses (complete and partial) to a CSV or XLSX file."""
    check_raw_allowed(ctx, raw)

    async def work(services: Services) -> tuple[ExportShape, list[dict[str, Any]]]:
        async with services.uow() as uow:
            wave = await uow.waves.get(wave_id)
            if wave is None:
                raise LookupError(f"no wave {wave_id}")
            shape = ExportShape(await survey_for_wave(uow, wave), services.timezone, fmt, raw)
            hidden: dict[str, set[str]] = {}
            for ref, question_id in await uow.comments.hidden_answers(wave_id):
                hidden.setdefault(ref, set()).add(question_id)
            rows = uow.responses.iter_export_rows(wave_id)
            return shape, [
                response_cells(row, shape, frozenset(hidden.get(row.respondent, ())))
                async for row in rows
            ]

    shape, cells = with_services(ctx, work)
    try:
        write_export(output, shape, cells, labels)
        if codebook is not None:
            write_csv(codebook, CODEBOOK_HEADER, codebook_rows(shape.survey))
    except OSError as exc:
        raise CliError(f"{exc.filename}: cannot write the export ({exc.strerror})") from None
    if raw:
        log_raw_export("responses", wave_id, len(cells))
    click.echo(f"exported {len(cells)} responses to {output}")
