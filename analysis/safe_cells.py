"""Neutralise spreadsheet formula injection in exported cells, and write safe tables."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

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


class Sheet(NamedTuple):
    """One table of an export: a sheet title (XLSX), a header and rows."""

    title: str
    header: list[str]
    rows: Iterable[list[object]]


def write_table(
    path: Path, header: list[str], rows: Iterable[list[object]], fmt: str = "csv", title: str = ""
) -> None:
    """Write a header and rows as CSV (BOM, for Excel) or a one-sheet XLSX; replace path at once."""
    if fmt == "csv":
        write_csv(path, header, rows)
    else:
        write_workbook(path, [Sheet(title, header, rows)])


def write_csv(path: Path, header: list[str], rows: Iterable[list[object]]) -> None:
    """Write a CSV with a BOM (so Excel reads UTF-8), every cell formula-safe; replace at once."""
    temporary = path.with_name(path.name + ".part")
    with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(safe_row(row) for row in rows)
    temporary.replace(path)


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> None:
    """Write sheets into one XLSX, every cell a value (never a formula); replace path at once."""
    from openpyxl import Workbook  # write-only mode streams the rows

    temporary = path.with_name(path.name + ".part")
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        page = workbook.create_sheet(title=sheet.title or None)
        page.append(sheet.header)
        for row in sheet.rows:
            page.append(safe_row(row))
    workbook.save(temporary)
    temporary.replace(path)
