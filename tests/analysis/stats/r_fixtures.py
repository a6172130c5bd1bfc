"""Load the committed R `survey` fixtures and aggregate their rows into cells."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.stats import Cell, CellTable

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "r"
NAMES = ("poststrat_age", "rake_age_sex", "rake_three", "small_rake")
DIMS = ("age_band", "sex", "district", "mode")


@dataclass(frozen=True)
class RFixture:
    """Respondent rows, the cells they aggregate into, and R's results."""

    name: str
    rows: list[dict[str, str]]
    table: CellTable
    keys: list[tuple[str | None, ...]]
    margins_path: Path
    expected: dict[str, Any]


def load_fixture(name: str) -> RFixture:
    """Read one dataset and aggregate it as the SQL GROUP BY would."""
    with (FIXTURES / f"{name}.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    respondents: Counter[tuple[str | None, ...]] = Counter()
    yes: Counter[tuple[str | None, ...]] = Counter()
    valid: Counter[tuple[str | None, ...]] = Counter()
    keys = []
    for row in rows:
        key = tuple(row[d] or None for d in DIMS)
        keys.append(key)
        respondents[key] += 1
        if row["y"] != "":
            valid[key] += 1
            yes[key] += int(row["y"])
    table = CellTable(
        tuple(
            Cell(dict(zip(DIMS, key, strict=True)), respondents[key], yes[key], valid[key])
            for key in respondents
        )
    )
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return RFixture(name, rows, table, keys, FIXTURES / f"{name}_margins.csv", expected)
