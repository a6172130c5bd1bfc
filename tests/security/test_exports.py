"""Exports carry no chat id and no live formula, whatever residents typed."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from storage.db import UnitOfWork
from tests.builders import make_bundled_wave, make_respondent, make_response
from tests.ops.conftest import OpsCli

CHAT_ID = 6_543_210_987
TYPED = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd|' /C calc'!A0", '\t=HYPERLINK("x")']
# Exports show the masked (normalised) text: the leading tab goes, the formula stays guarded.
EXPORTED = ["'=1+2", "'+SUM(A1:A2)", "'-2+3", "'@cmd|' /C calc'!A0", '\'=HYPERLINK("x")']


def _seed(ops_cli: OpsCli) -> int:
    async def work(uow_factory: Callable[[], UnitOfWork]) -> int:
        wave = await make_bundled_wave(uow_factory)
        for number, text in enumerate(TYPED):
            resident = await make_respondent(uow_factory, chat_id=CHAT_ID + number)
            await make_response(
                uow_factory, wave.id, resident, answers={"livability": "livable", "comment": text}
            )
        return wave.id

    return ops_cli.seed(work)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_formulas_and_holds_no_chat_id(
    ops_cli: OpsCli, tmp_path: Path, fmt: str
) -> None:
    wave_id = _seed(ops_cli)
    output = tmp_path / f"out.{fmt}"
    result = ops_cli(
        "export", "responses", "--wave", str(wave_id), "--format", fmt, "--output", str(output)
    )
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        text = output.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(text.splitlines()))
    else:
        sheet = load_workbook(output).active
        rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
        text = "\n".join("\t".join(str(cell) for cell in row) for row in rows)
    comments = sorted(str(row[rows[0].index("comment")]) for row in rows[1:])
    assert comments == sorted(EXPORTED)
    cells = [str(cell) for row in rows for cell in row if cell is not None]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells)
    for number in range(len(TYPED)):
        assert str(CHAT_ID + number) not in text
