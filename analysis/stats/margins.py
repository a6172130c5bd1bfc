"""Population margins from a CSV file: `dimension,category,population`."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
from pathlib import Path

from surveys.profile import PROFILE_FIELDS

PROFILE_DIMENSIONS: tuple[str, ...] = PROFILE_FIELDS

Margins = dict[str, dict[str, int]]
"""dimension -> category -> population, in file order."""


class MarginsError(ValueError):
    """A margins file that cannot be used; the message is one line for staff."""


def load_margins(
    path: str | Path,
    dimensions: Collection[str] = PROFILE_DIMENSIONS,
    categories: Mapping[str, Collection[str]] | None = None,
) -> Margins:
    """Read and check a margins CSV file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MarginsError(f"{p}: cannot read margins file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise MarginsError(f"{p}: margins file is not UTF-8 text") from None
    return parse_margins(text, source=str(p), dimensions=dimensions, categories=categories)


def parse_margins(
    text: str,
    source: str = "margins",
    dimensions: Collection[str] = PROFILE_DIMENSIONS,
    categories: Mapping[str, Collection[str]] | None = None,
) -> Margins:
    """Parse margins CSV text; rows are numbered as in a spreadsheet (header is row 1)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise MarginsError(f"{source}: empty file, expected header dimension,category,population")
    header = [h.strip().lower() for h in rows[0]]
    if header != ["dimension", "category", "population"]:
        raise MarginsError(
            f"{source} row 1: header must be dimension,category,population, got {','.join(rows[0])}"
        )
    margins: Margins = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise MarginsError(f"{source} row {number}: expected 3 fields, got {len(row)}")
        dim, category, population = (cell.strip() for cell in row)
        if dim not in dimensions:
            known = ", ".join(sorted(dimensions))
            raise MarginsError(f"{source} row {number}: unknown dimension {dim!r} (known: {known})")
        if not category:
            raise MarginsError(f"{source} row {number}: empty category")
        if categories is not None and dim in categories and category not in categories[dim]:
            raise MarginsError(f"{source} row {number}: unknown {dim} category {category!r}")
        value = _population(population)
        if value is None:
            raise MarginsError(
                f"{source} row {number}: population {population!r} is not a positive whole number"
            )
        per_dim = margins.setdefault(dim, {})
        if category in per_dim:
            raise MarginsError(f"{source} row {number}: duplicate {dim} category {category!r}")
        per_dim[category] = value
    if not margins:
        raise MarginsError(f"{source}: no margins rows after the header")
    return margins


def _population(text: str) -> int | None:
    """A positive integer population, allowing thousands separators; None if invalid."""
    cleaned = text.replace(",", "").replace("_", "")
    if not cleaned.isascii() or not cleaned.isdigit():
        return None
    value = int(cleaned)
    return value if value > 0 else None
