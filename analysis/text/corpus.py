"""The bundled labelled comments (train and test splits) and labelled CSV files."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from analysis.taxonomy import LABELS, OTHER, bundled_taxonomy


class LabelledFileError(ValueError):
    """A labelled comments file cannot be read; the message is one line for the user."""


@dataclass(frozen=True)
class LabelledComment:
    """A comment with its goals ("1"-"4", several allowed) or ("other",)."""

    text: str
    goals: tuple[str, ...]


def parse_goals(value: str) -> tuple[str, ...]:
    """Parse a ";"-joined goal list such as "1;3" or "other"."""
    goals = tuple(sorted({part.strip().lower() for part in value.split(";") if part.strip()}))
    if not goals:
        raise ValueError("no goals given")
    unknown = [g for g in goals if g not in LABELS]
    if unknown:
        raise ValueError(f"unknown goal {unknown[0]!r}: use 1-4 or other")
    if OTHER in goals and len(goals) > 1:
        raise ValueError("'other' cannot be combined with goals")
    return goals


def read_labelled_csv(path: Path) -> list[LabelledComment]:
    """Read a CSV with columns text and goals; raise LabelledFileError on bad input."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"text", "goals"} - set(reader.fieldnames or ())
            if missing:
                raise LabelledFileError(
                    f"{path.name}: missing column(s) {', '.join(sorted(missing))}"
                )
            rows = []
            for line, row in enumerate(reader, start=2):
                try:
                    rows.append(LabelledComment(row["text"] or "", parse_goals(row["goals"] or "")))
                except ValueError as error:
                    raise LabelledFileError(f"{path.name} line {line}: {error}") from None
            return rows
    except UnicodeDecodeError:
        raise LabelledFileError(f"{path.name}: not UTF-8 text") from None
    except OSError as error:
        raise LabelledFileError(f"{path}: cannot read ({error.strerror})") from None


def _bundled(name: str) -> list[LabelledComment]:
    resource = resources.files("analysis").joinpath(f"data/corpus/{name}.csv")
    with resources.as_file(resource) as path:
        return read_labelled_csv(path)


def training_comments() -> list[LabelledComment]:
    """Return the bundled training split."""
    return _bundled("train")


def held_out_comments() -> list[LabelledComment]:
    """Return the bundled, fixed test split (never used for tuning)."""
    return _bundled("test")


def taxonomy_comments() -> list[LabelledComment]:
    """Return the taxonomy's own descriptions as labelled training text."""
    return [LabelledComment(t, g) for t, g in bundled_taxonomy().training_texts()]


def as_labelled(
    rows: Iterable[tuple[str, Iterable[str]] | LabelledComment],
) -> list[LabelledComment]:
    """Turn (text, goals) pairs from analysts into labelled comments."""
    result = []
    for row in rows:
        if isinstance(row, LabelledComment):
            result.append(row)
        else:
            text, goals = row
            result.append(LabelledComment(text, parse_goals(";".join(goals))))
    return result
