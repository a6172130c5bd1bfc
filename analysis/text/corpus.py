"""The bundled labelled comments (training data and the two fixed test sets) and labelled CSVs."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from analysis.taxonomy import LABELS, OTHER, bundled_taxonomy
from surveys.codec import CODE_SEPARATOR, join_codes

VOICES = ("voices_a", "voices_b")
"""The many-voices corpus; its fixed test part is TEST_1, the rest is training data."""
LEGACY = ("train", "test")
"""The first, one-voice corpus: kept as training data only (too easy to test on)."""
TEST_1 = "voices_test"
"""A seeded, stratified fifth of the voices corpus, written out once (corpus_split.py)."""
TEST_2 = "holdout"
"""Written separately, in other styles and on other topics; never used to choose anything."""
TEST_SET_NAMES = {TEST_1: "test 1 (voices split)", TEST_2: "test 2 (separate holdout)"}


class LabelledFileError(ValueError):
    """A labelled comments file cannot be read; the message is one line for the user."""


@dataclass(frozen=True)
class LabelledComment:
    """A comment with its goals ("1"-"4", several allowed, or ("other",)) and its primary goal."""

    text: str
    goals: tuple[str, ...]
    primary: str = ""

    def __post_init__(self) -> None:
        if not self.primary:
            object.__setattr__(self, "primary", self.goals[0] if self.goals else OTHER)


def parse_goals(value: str) -> tuple[str, ...]:
    """Parse a ";"-joined goal list such as "1;3" or "other", keeping the written order."""
    parts = [part.strip().lower() for part in value.split(CODE_SEPARATOR) if part.strip()]
    goals = tuple(dict.fromkeys(parts))
    if not goals:
        raise ValueError("no goals given")
    unknown = [g for g in goals if g not in LABELS]
    if unknown:
        raise ValueError(f"unknown goal {unknown[0]!r}: use 1-4 or other")
    if OTHER in goals and len(goals) > 1:
        raise ValueError("'other' cannot be combined with goals")
    return goals


def parse_row(text: str, goals: str, primary: str | None) -> LabelledComment:
    """One labelled comment; primary (optional) must be one of its goals."""
    parsed = parse_goals(goals)
    primary = (primary or "").strip().lower()
    if primary and primary not in parsed:
        raise ValueError(f"primary {primary!r} is not one of its goals {join_codes(parsed)}")
    return LabelledComment(text, tuple(sorted(parsed)), primary or parsed[0])


def read_labelled_csv(path: Path) -> list[LabelledComment]:
    """Read a CSV with columns text, goals and optionally primary; one-line errors on bad input."""
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
                    text, goals = row["text"] or "", row["goals"] or ""
                    rows.append(parse_row(text, goals, row.get("primary")))
                except ValueError as error:
                    raise LabelledFileError(f"{path.name} line {line}: {error}") from None
            return rows
    except UnicodeDecodeError:
        raise LabelledFileError(f"{path.name}: not UTF-8 text") from None
    except csv.Error as error:
        raise LabelledFileError(f"{path.name}: not a valid CSV ({error})") from None
    except OSError as error:
        raise LabelledFileError(f"{path}: cannot read ({error.strerror})") from None


def bundled_path(name: str) -> Path:
    """Where a bundled corpus file lives (it may not exist, e.g. a test set not written yet)."""
    return Path(str(resources.files("analysis").joinpath(f"data/corpus/{name}.csv")))


def bundled(name: str) -> list[LabelledComment]:
    """The rows of one bundled corpus file, none when it is absent."""
    path = bundled_path(name)
    return read_labelled_csv(path) if path.is_file() else []


def voices_comments() -> list[LabelledComment]:
    """The whole many-voices corpus (training and test 1 together)."""
    return [row for name in VOICES for row in bundled(name)]


def fixed_test_sets() -> dict[str, list[LabelledComment]]:
    """The fixed test sets that exist, by name; the old test split when no voices split exists."""
    sets = {name: bundled(name) for name in (TEST_1, TEST_2)}
    if not sets[TEST_1]:
        sets[TEST_1] = bundled("test")
    return {name: rows for name, rows in sets.items() if rows}


def training_comments() -> list[LabelledComment]:
    """The bundled training data: the voices corpus outside test 1, and the one-voice corpus."""
    tested = {row.text for rows in fixed_test_sets().values() for row in rows}
    rows = voices_comments() + [row for name in LEGACY for row in bundled(name)]
    return [row for row in rows if row.text not in tested]


def held_out_comments() -> list[LabelledComment]:
    """Test set 1 (kept for callers that know one test set)."""
    return fixed_test_sets()[TEST_1]


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
            result.append(parse_row(text, join_codes(goals), None))
    return result
