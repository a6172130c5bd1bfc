"""`machikoe import responses`: load mailed or web responses in the export's CSV format."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import click

from analysis.safe_cells import write_table
from bot.app.reports import find_wave
from bot.app.services import Services
from bot.cli import CliError
from bot.cli._shared import with_services
from bot.cli.import_check import ERROR_COLUMN, CheckedFile, HeaderError, check_file
from surveys.modes import IMPORTED_MODES, ResponseMode

MAX_SHOWN = 20
SAVE_AS = 'save the CSV from Excel as "CSV UTF-8" or "CSV (comma delimited)"'


def read_import_file(path: Path) -> tuple[str, str]:
    """The CSV's text and the encoding it was read in: UTF-8 (with or without BOM) or CP932."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CliError(f'{path}: UTF-16 text (Excel\'s "Unicode text"); {SAVE_AS}')
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8 (with BOM)")]
    else:
        candidates = [("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932)")]
    for codec, name in candidates:
        try:
            return data.decode(codec), name
        except UnicodeDecodeError as exc:
            position = exc.start
    raise CliError(f"{path}: byte {position} is neither UTF-8 nor Shift_JIS (CP932); {SAVE_AS}")


@dataclass(frozen=True)
class ImportOptions:
    """How to import: the responses' mode, whether to replace stored rows or skip bad ones."""

    mode: str
    replace: bool = False
    bad_rows_path: Path | None = None


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did."""

    imported: int
    replaced: int
    already_stored: int
    partial: int
    bad: int


class BadRowsError(CliError):
    """Some rows are bad and nothing was stored; the problems are listed first."""


def show_problems(checked: CheckedFile) -> None:
    """Every problem, one line each, up to MAX_SHOWN (then how many more)."""
    problems = checked.problems()
    for problem in problems[:MAX_SHOWN]:
        click.echo(str(problem), err=True)
    if len(problems) > MAX_SHOWN:
        click.echo(f"… and {len(problems) - MAX_SHOWN} more problems", err=True)


def write_bad_rows(path: Path, checked: CheckedFile) -> None:
    """The bad rows as they were, each with its problems, ready to correct and import again."""
    keep = [i for i, name in enumerate(checked.header) if name != ERROR_COLUMN]
    header = [ERROR_COLUMN, *(checked.header[i] for i in keep)]
    rows: list[list[object]] = []
    for bad in checked.bad:
        problems = "; ".join(problem.without_row() for problem in bad.problems)
        cells = bad.cells if len(bad.cells) != len(checked.header) else [bad.cells[i] for i in keep]
        rows.append([problems, *cells])
    write_table(path, header, rows)


def _refuse_chat_rows(checked: CheckedFile, stored: dict[str, str]) -> None:
    """A chat response is the resident's own: an import never replaces it."""
    for found in list(checked.rows):
        if stored.get(found.respondent) == ResponseMode.CHAT:
            message = f"{found.respondent!r} answered in the chat; an import cannot replace it"
            checked.refuse(found, "respondent", message)


async def import_rows(
    services: Services, wave_ref: str, text: str, options: ImportOptions
) -> tuple[str, ImportOutcome]:
    """Check every row against the wave's frozen definition, then store all in one transaction."""
    from bot.app.catalog import survey_for_wave

    async with services.uow() as uow:
        wave = await find_wave(uow, wave_ref)
        survey = await survey_for_wave(uow, wave)
        checked = check_file(text, survey)
        stored = await uow.imports.stored_modes(wave.id, [r.respondent for r in checked.rows])
        if options.replace:
            _refuse_chat_rows(checked, stored)
        show_problems(checked)
        if checked.bad and options.bad_rows_path is None:
            raise BadRowsError(
                f"{len(checked.bad)} bad rows, nothing stored (correct them and import again,"
                " or use --skip-bad-rows to store the good ones)"
            )
        if checked.bad and options.bad_rows_path is not None:
            write_bad_rows(options.bad_rows_path, checked)
        complete = [r for r in checked.rows if not r.partial]
        replacing = [r.respondent for r in complete if r.respondent in stored and options.replace]
        fresh = [r for r in complete if r.respondent not in stored or options.replace]
        replaced = await uow.imports.remove(wave.id, replacing)
        now = services.now()
        ids = []
        for row in fresh:
            record = await uow.imports.add(
                wave.id,
                row.respondent,
                options.mode,
                row.profile,
                row.answers,
                row.submitted_at or now,
                row.other_texts,
            )
            ids.append(record.id)
        await uow.commit()
    for response_id in ids:
        await services.response_submitted(response_id)
    partial = len(checked.rows) - len(complete)
    outcome = ImportOutcome(
        len(fresh) - replaced, replaced, len(complete) - len(fresh), partial, len(checked.bad)
    )
    return wave.name, outcome


def describe(wave_name: str, outcome: ImportOutcome, options: ImportOptions) -> str:
    """`imported 120 mail responses into wave …` with everything that was not imported."""
    line = f"imported {outcome.imported} {options.mode} responses into wave {wave_name}"
    notes = []
    if outcome.replaced:
        notes.append(f"{outcome.replaced} replaced")
    if outcome.already_stored:
        notes.append(f"{outcome.already_stored} already stored, kept (--replace replaces them)")
    if outcome.partial:
        notes.append(f"{outcome.partial} partial skipped")
    if outcome.bad:
        notes.append(f"{outcome.bad} bad rows skipped, written to {options.bad_rows_path}")
    return line + (f" ({'; '.join(notes)})" if notes else "")


def bad_rows_path(input_path: Path) -> Path:
    """Where --skip-bad-rows writes the bad rows: beside the input, `NAME.bad-rows.csv`."""
    return input_path.with_name(f"{input_path.stem}.bad-rows.csv")


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
    help="CSV in the export's format (UTF-8 or Shift_JIS; codes or Japanese labels).",
)
@click.option(
    "--mode",
    type=click.Choice([mode.value for mode in IMPORTED_MODES]),
    default=ResponseMode.MAIL.value,
    show_default=True,
)
@click.option(
    "--replace", is_flag=True, help="Replace responses an earlier import stored (corrected rows)."
)
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Store the good rows; write the bad ones to NAME.bad-rows.csv beside the input.",
)
@click.pass_context
def import_responses_command(
    ctx: click.Context,
    wave_ref: str,
    input_path: Path,
    mode: str,
    replace: bool,
    skip_bad_rows: bool,
) -> None:
    """Check every row, then store them all or none; importing the same file twice adds nothing."""
    text, encoding = read_import_file(input_path)
    click.echo(f"read {input_path.name} as {encoding}")
    options = ImportOptions(mode, replace, bad_rows_path(input_path) if skip_bad_rows else None)

    async def work(services: Services) -> str:
        try:
            name, outcome = await import_rows(services, wave_ref, text, options)
        except HeaderError as exc:
            for problem in exc.problems[:-1]:
                click.echo(problem, err=True)
            raise CliError(f"{exc.problems[-1]}; nothing stored") from None
        return describe(name, outcome, options)

    click.echo(with_services(ctx, work))
