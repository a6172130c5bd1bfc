"""`machikoe import responses`: load mailed or web responses in the export's CSV format."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from analysis.safe_cells import unguard_cell
from bot.cli import CliError
from bot.commands._shared import with_services
from bot.reports import find_wave
from bot.services import Services
from storage.records import PROFILE_FIELDS
from surveys.definition import Question, QuestionType, Survey
from surveys.profile import profile_values

IMPORT_MODES = ("mail", "web")
IGNORED_COLUMNS = ("status", "submitted_at", "mode")
MAX_REF_LENGTH = 64


class ImportFileError(ValueError):
    """A row or header that cannot be imported; one line naming the CSV line."""


@dataclass(frozen=True)
class ImportedRow:
    """One checked response: reference, profile, answers (None = item non-response)."""

    line: int
    respondent: str
    profile: dict[str, str | None]
    answers: dict[str, str | None]
    submitted_at: datetime | None


def _unquote(cell: str) -> str:
    """Undo the export's formula guard (a quote before `=`, `+`, `-`, `@`) and trim."""
    return unguard_cell(cell.strip())


def _code_error(line: int, column: str, code: str) -> ImportFileError:
    """`row N: column: unknown code "x"`."""
    return ImportFileError(f'row {line}: {column}: unknown code "{code}"')


def check_value(question: Question, cell: str, line: int) -> str | None:
    """A cell as the stored value of an answer; empty is item non-response."""
    if cell == "":
        return None
    qid = question.id
    if question.type == QuestionType.MULTI:
        codes = [c.strip() for c in cell.split(";") if c.strip()]
        for code in codes:
            if code not in question.choice_ids:
                raise _code_error(line, qid, code)
        if len(set(codes)) != len(codes):
            raise ImportFileError(f"row {line}: {qid}: a choice is given twice")
        if len(codes) > question.max_selections:
            raise ImportFileError(
                f"row {line}: {qid}: {len(codes)} choices, at most {question.max_selections}"
            )
        order = {code: i for i, code in enumerate(question.choice_ids)}
        return ";".join(sorted(codes, key=order.__getitem__)) or None
    if question.type in (QuestionType.SINGLE, QuestionType.LIKERT):
        if cell not in question.choice_ids:
            raise _code_error(line, qid, cell)
        return cell
    if question.type == QuestionType.NUMBER:
        try:
            number = int(cell)
        except ValueError:
            raise ImportFileError(f'row {line}: {qid}: "{cell}" is not a whole number') from None
        low, high = question.min, question.max
        if (low is not None and number < low) or (high is not None and number > high):
            raise ImportFileError(f"row {line}: {qid}: {number} is outside {low}-{high}")
        return str(number)
    if len(cell) > question.text_max_length:
        raise ImportFileError(
            f"row {line}: {qid}: text longer than {question.text_max_length} characters"
        )
    return cell


def _submitted_at(cell: str, line: int) -> datetime | None:
    """The `submitted_at` column: an ISO time with its offset, or empty."""
    if not cell:
        return None
    try:
        moment = datetime.fromisoformat(cell)
    except ValueError:
        raise ImportFileError(f'row {line}: submitted_at: "{cell}" is not an ISO time') from None
    if moment.tzinfo is None:
        raise ImportFileError(f"row {line}: submitted_at: give the time zone (e.g. +09:00)")
    return moment


def _check_header(header: list[str], survey: Survey) -> list[str]:
    """Column names checked against the export's format and the wave's questions."""
    names = [h.strip() for h in header]
    if "respondent" not in names:
        raise ImportFileError("row 1: missing column respondent")
    allowed = {"respondent", *IGNORED_COLUMNS, *PROFILE_FIELDS, *survey.question_ids}
    seen: set[str] = set()
    for name in names:
        if name not in allowed:
            raise ImportFileError(f"row 1: unknown column {name!r} (not a question of this wave)")
        if name in seen:
            raise ImportFileError(f"row 1: column {name!r} appears twice")
        seen.add(name)
    return names


def parse_import(text: str, survey: Survey) -> tuple[list[ImportedRow], int]:
    """Check every row of an import CSV; returns the complete rows and how many were partial."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("row 1: empty file, expected the export's header") from None
    names = _check_header(header, survey)
    profile_codes = profile_values()
    questions = {q.id: q for q in survey.questions}
    rows: list[ImportedRow] = []
    first_line: dict[str, int] = {}
    partial = 0
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(names):
            raise ImportFileError(f"row {line}: {len(record)} cells, the header has {len(names)}")
        cells = {name: _unquote(cell) for name, cell in zip(names, record, strict=True)}
        respondent = cells["respondent"]
        if not respondent:
            raise ImportFileError(f"row {line}: respondent is empty")
        if len(respondent) > MAX_REF_LENGTH:
            raise ImportFileError(f"row {line}: respondent longer than {MAX_REF_LENGTH} characters")
        if respondent in first_line:
            raise ImportFileError(
                f"row {line}: respondent {respondent!r} already on row {first_line[respondent]}"
            )
        first_line[respondent] = line
        if cells.get("status", "") not in ("", "complete", "partial"):
            raise ImportFileError(f'row {line}: status: unknown code "{cells["status"]}"')
        profile: dict[str, str | None] = {}
        for field in PROFILE_FIELDS:
            value = cells.get(field, "")
            if value and value not in profile_codes[field]:
                raise _code_error(line, field, value)
            profile[field] = value or None
        answers = {
            qid: check_value(question, cells[qid], line)
            for qid, question in questions.items()
            if qid in cells
        }
        submitted = _submitted_at(cells.get("submitted_at", ""), line)
        if cells.get("status") == "partial":
            partial += 1
            continue
        rows.append(ImportedRow(line, respondent, profile, answers, submitted))
    return rows, partial


def read_import_file(path: Path) -> str:
    """The CSV's text (a BOM from Excel is fine)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did."""

    imported: int
    already_stored: int
    partial: int


async def import_rows(
    services: Services, wave_ref: str, text: str, mode: str
) -> tuple[str, ImportOutcome]:
    """Validate every row against the wave's frozen definition, then store all in one go."""
    from bot.catalog import survey_for_wave

    async with services.uow() as uow:
        wave = await find_wave(uow, wave_ref)
        survey = await survey_for_wave(uow, wave)
        rows, partial = parse_import(text, survey)
        stored = await uow.responses.existing_refs(wave.id, [r.respondent for r in rows])
        now = services.now()
        fresh = [r for r in rows if r.respondent not in stored]
        ids = []
        for row in fresh:
            record = await uow.responses.add_imported(
                wave.id, row.respondent, mode, row.profile, row.answers, row.submitted_at or now
            )
            ids.append(record.id)
        await uow.commit()
    for response_id in ids:
        await services.response_submitted(response_id)
    return wave.name, ImportOutcome(len(fresh), len(rows) - len(fresh), partial)


def describe(wave_name: str, outcome: ImportOutcome, mode: str) -> str:
    """`imported 120 mail responses into wave …` with what was skipped."""
    line = f"imported {outcome.imported} {mode} responses into wave {wave_name}"
    notes = []
    if outcome.already_stored:
        notes.append(f"{outcome.already_stored} already stored")
    if outcome.partial:
        notes.append(f"{outcome.partial} partial skipped")
    return line + (f" ({', '.join(notes)})" if notes else "")


@click.group("import")
def import_group() -> None:
    """Import responses collected elsewhere (mailed survey, web form)."""


@import_group.command("responses")
@click.option("--wave", "wave_ref", required=True, metavar="WAVE", help="Wave id or name.")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV in the export's format (respondent, profile fields, question ids).",
)
@click.option("--mode", type=click.Choice(IMPORT_MODES), default="mail", show_default=True)
@click.pass_context
def import_responses_command(
    ctx: click.Context, wave_ref: str, input_path: Path, mode: str
) -> None:
    """Check every row, then store them all or none; importing the same file twice adds nothing."""
    text = read_import_file(input_path)

    async def work(services: Services) -> str:
        try:
            name, outcome = await import_rows(services, wave_ref, text, mode)
        except ImportFileError as exc:
            raise CliError(str(exc)) from None
        return describe(name, outcome, mode)

    click.echo(with_services(ctx, work))
