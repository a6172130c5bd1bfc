"""Checking an import CSV against a wave's survey: every problem of every row, no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from analysis.safe_cells import unguard_cell
from bot.cli.import_values import (
    CellError,
    ChoiceReader,
    answer_value,
    choice_codes,
    other_text,
)
from storage.records import PROFILE_FIELDS
from surveys.codec import decode, split_codes
from surveys.definition import CHOICE_TYPES, Survey
from surveys.engine import answers_to_drop, relevant_questions
from surveys.profile import profile_survey
from surveys.status import ResponseStatus

ERROR_COLUMN = "import_error"
IGNORED_COLUMNS = ("status", "submitted_at", "mode", ERROR_COLUMN)
OTHER_SUFFIX = "_other"
LABEL_SUFFIX = "_label"
MAX_REF_LENGTH = 64


class HeaderError(ValueError):
    """The header cannot be read as the export's format; nothing of the file is used."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row: the column (None for the whole row) and what is allowed."""

    row: int
    column: str | None
    message: str

    def without_row(self) -> str:
        """`column: message`, for the bad-rows file."""
        return f"{self.column}: {self.message}" if self.column else self.message

    def __str__(self) -> str:
        return f"row {self.row}: {self.without_row()}"


@dataclass(frozen=True)
class ImportedRow:
    """One checked response: reference, profile, answers (None = item non-response)."""

    row: int
    cells: list[str] = field(repr=False)
    respondent: str
    partial: bool
    profile: dict[str, str | None]
    answers: dict[str, str | None]
    other_texts: dict[str, str]
    submitted_at: datetime | None


@dataclass(frozen=True)
class BadRow:
    """A row as it was in the file, and everything wrong with it."""

    row: int
    cells: list[str]
    problems: list[Problem]


@dataclass
class CheckedFile:
    """The header and every row of a file, sorted into good and bad."""

    header: list[str]
    rows: list[ImportedRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    def refuse(self, found: ImportedRow, column: str, message: str) -> None:
        """Move a checked row to the bad ones (a problem only the database can see)."""
        self.rows.remove(found)
        self.bad.append(BadRow(found.row, found.cells, [Problem(found.row, column, message)]))
        self.bad.sort(key=lambda bad: bad.row)

    def problems(self) -> list[Problem]:
        """Every problem of every bad row, in file order."""
        return [problem for bad in self.bad for problem in bad.problems]


@dataclass(frozen=True)
class _Readers:
    """How to read each column of this survey."""

    survey: Survey
    questions: dict[str, ChoiceReader | None]
    profile: dict[str, ChoiceReader]

    def choices(self) -> dict[str, ChoiceReader]:
        """The readers of every column with choices (profile fields and questions)."""
        found = {qid: reader for qid, reader in self.questions.items() if reader is not None}
        return {**self.profile, **found}

    @classmethod
    def of(cls, survey: Survey) -> _Readers:
        questions = {
            q.id: ChoiceReader.of(q) if q.type in CHOICE_TYPES else None for q in survey.questions
        }
        profile = {
            name: ChoiceReader.of(profile_survey().question(name)) for name in PROFILE_FIELDS
        }
        return cls(survey, questions, profile)


def other_columns(survey: Survey) -> dict[str, str]:
    """`QUESTION_other` column → question id, for the questions with an 「その他」 choice."""
    return {f"{q.id}{OTHER_SUFFIX}": q.id for q in survey.questions if q.other_choice is not None}


def check_header(header: list[str], survey: Survey) -> list[str]:
    """The column names, or HeaderError naming every missing, unknown or repeated column."""
    names = [name.strip() for name in header]
    allowed = {"respondent", *IGNORED_COLUMNS, *PROFILE_FIELDS, *survey.question_ids}
    allowed.update(other_columns(survey))
    allowed.update(f"{name}{LABEL_SUFFIX}" for name in _Readers.of(survey).choices())
    problems = []
    missing = [name for name in ("respondent", *survey.question_ids) if name not in names]
    if missing:
        problems.append(
            f"row 1: missing column(s) {', '.join(missing)} (every question of the wave needs a"
            " column; leave a cell empty where there is no answer)"
        )
    for name in dict.fromkeys(names):
        if name not in allowed:
            problems.append(f"row 1: unknown column {name!r} (not a question of this wave)")
        if names.count(name) > 1:
            problems.append(f"row 1: column {name!r} appears twice")
    if problems:
        raise HeaderError(problems)
    return names


def check_file(text: str, survey: Survey) -> CheckedFile:
    """Every row checked; HeaderError when the header itself is wrong."""
    records = csv.reader(io.StringIO(text, newline=""))
    header = next(records, None)
    if header is None:
        raise HeaderError(["row 1: empty file, expected the export's header"])
    checked = CheckedFile(check_header(header, survey))
    readers = _Readers.of(survey)
    seen: dict[str, int] = {}
    for row, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        problems: list[Problem] = []
        found = _check_row(row, record, checked.header, readers, problems)
        if found is not None:
            _check_unique(found, seen, problems)
        if problems or found is None:
            checked.bad.append(BadRow(row, record, problems))
        else:
            checked.rows.append(found)
    return checked


def _check_unique(found: ImportedRow, seen: dict[str, int], problems: list[Problem]) -> None:
    """A respondent reference appears on one row only."""
    first = seen.setdefault(found.respondent, found.row)
    if first != found.row:
        message = f"{found.respondent!r} already on row {first}"
        problems.append(Problem(found.row, "respondent", message))


def _check_row(
    row: int, record: list[str], names: list[str], readers: _Readers, problems: list[Problem]
) -> ImportedRow | None:
    """One row as a response; its problems are added to `problems`."""
    if len(record) != len(names):
        message = f"{len(record)} cells, the header has {len(names)}"
        problems.append(Problem(row, None, message))
        return None
    cells = {name: unguard_cell(cell.strip()) for name, cell in zip(names, record, strict=True)}
    _take_labels(row, cells, readers, problems)
    respondent = cells["respondent"]
    if not respondent:
        problems.append(Problem(row, "respondent", "empty"))
    elif len(respondent) > MAX_REF_LENGTH:
        problems.append(Problem(row, "respondent", f"longer than {MAX_REF_LENGTH} characters"))
    status = cells.get("status", "")
    if status and status not in set(ResponseStatus):
        message = f'unknown value "{status}"; allowed: complete, partial or empty'
        problems.append(Problem(row, "status", message))
    profile = _profile(row, cells, readers, problems)
    answers = _answers(row, cells, readers, problems)
    others = _other_texts(row, cells, readers.survey, answers, problems)
    submitted = _submitted_at(row, cells.get("submitted_at", ""), problems)
    if not problems:
        answers = _within_skip_logic(row, readers.survey, answers, others, profile, problems)
    partial = status == ResponseStatus.PARTIAL
    return ImportedRow(row, record, respondent, partial, profile, answers, others, submitted)


def _take_labels(
    row: int, cells: dict[str, str], readers: _Readers, problems: list[Problem]
) -> None:
    """`QUESTION_label` columns (`export --labels`): fill an empty code cell, else must agree."""
    for name, reader in readers.choices().items():
        column = f"{name}{LABEL_SUFFIX}"
        label, code = cells.get(column, ""), cells.get(name, "")
        if not label:
            continue
        if not code:
            cells[name] = label
            continue
        try:
            given = set(_codes(choice_codes(reader, code)))
        except CellError:
            continue  # reported under the code's own column
        try:
            labelled = set(_codes(choice_codes(reader, label)))
        except CellError as error:
            problems.append(Problem(row, column, str(error)))
            continue
        if labelled != given:
            problems.append(Problem(row, column, f'"{label}" does not match {name} "{code}"'))


def _codes(found: str | tuple[str, ...]) -> tuple[str, ...]:
    """One code or several as a tuple."""
    return (found,) if isinstance(found, str) else found


def _profile(
    row: int, cells: dict[str, str], readers: _Readers, problems: list[Problem]
) -> dict[str, str | None]:
    """The profile fields as codes (labels accepted); a missing column is an unknown value."""
    profile: dict[str, str | None] = {}
    for name, reader in readers.profile.items():
        profile[name] = _read(row, name, cells.get(name, ""), problems, reader.code)
    return profile


def _answers(
    row: int, cells: dict[str, str], readers: _Readers, problems: list[Problem]
) -> dict[str, str | None]:
    """Every question's stored value (None for an empty cell)."""
    answers: dict[str, str | None] = {}
    for question in readers.survey.questions:
        read = partial(answer_value, question, readers.questions[question.id])
        answers[question.id] = _read(row, question.id, cells[question.id], problems, read)
    return answers


def _read(
    row: int, column: str, cell: str, problems: list[Problem], read: Callable[[str], str | None]
) -> str | None:
    """A non-empty cell through `read`; a CellError becomes a problem of the row."""
    if not cell:
        return None
    try:
        return read(cell)
    except CellError as error:
        problems.append(Problem(row, column, str(error)))
        return None


def _other_texts(
    row: int,
    cells: dict[str, str],
    survey: Survey,
    answers: dict[str, str | None],
    problems: list[Problem],
) -> dict[str, str]:
    """The 「その他」 texts, each only beside an answer that picks its question's other choice."""
    texts: dict[str, str] = {}
    for column, question_id in other_columns(survey).items():
        text = _read(row, column, cells.get(column, ""), problems, other_text)
        if text is None:
            continue
        other = survey.question(question_id).other_choice
        chosen = split_codes(answers.get(question_id))
        if other is not None and other.id not in chosen:
            message = f"text given, but {question_id} does not pick {other.id} ({other.label.ja})"
            problems.append(Problem(row, column, message))
        texts[question_id] = text
    return texts


def _submitted_at(row: int, cell: str, problems: list[Problem]) -> datetime | None:
    """The `submitted_at` column: an ISO time with its offset, or empty."""
    if not cell:
        return None
    try:
        moment = datetime.fromisoformat(cell)
    except ValueError:
        message = f'"{cell}" is not an ISO time (e.g. 2025-06-10T10:00:00+09:00)'
        problems.append(Problem(row, "submitted_at", message))
        return None
    if moment.tzinfo is None:
        problems.append(Problem(row, "submitted_at", "give the time zone (e.g. +09:00)"))
    return moment


def _within_skip_logic(
    row: int,
    survey: Survey,
    answers: dict[str, str | None],
    others: dict[str, str],
    profile: dict[str, str | None],
    problems: list[Problem],
) -> dict[str, str | None]:
    """The answers of the questions skip logic asks; an answer to any other one is a problem."""
    given = {
        qid: decode(survey.question(qid), value, others.get(qid))
        for qid, value in answers.items()
        if value is not None
    }
    for question_id in answers_to_drop(survey, given, profile):
        condition = survey.question(question_id).relevant
        message = f"answered, but skip logic does not ask it here (asked when {condition})"
        problems.append(Problem(row, question_id, message))
    asked = relevant_questions(survey, given, profile)
    return {q.id: answers[q.id] for q in asked}
