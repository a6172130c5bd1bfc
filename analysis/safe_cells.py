"""Neutralise spreadsheet formula injection in exported cells, and write safe tables."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[object]) -> list[object]:
    """Apply safe_cell to every cell of a row."""
    return [safe_cell(v) for v in values]


def unguard_cell(text: str) -> str:
    """Undo safe_cell: drop the quote it put before formula-looking text."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS):
        return text[1:]
    return text


def write_table(
    path: Path, header: list[str], rows: Iterable[list[object]], fmt: str = "csv", title: str = ""
) -> None:
    """Write a header and rows as CSV (BOM, for Excel) or a one-sheet XLSX; replace path at once."""
    temporary = path.with_name(path.name + ".part")
    if fmt == "csv":
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(safe_row(row) for row in rows)
    else:
        from openpyxl import Workbook  # write-only mode streams; every cell a value, no formula

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title or None)
        sheet.append(header)
        for row in rows:
            sheet.append(safe_row(row))
        workbook.save(temporary)
    temporary.replace(path)
