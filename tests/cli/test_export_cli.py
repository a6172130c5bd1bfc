"""`machikoe export responses`: one row per response, pseudonymous, safe in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from bot.catalog import ensure_bundled_surveys
from tests.builders import NOW, make_respondent, make_response, make_wave
from tests.cli.conftest import Machikoe

CHAT_ID = 987654321012


def _seed(machikoe: Machikoe) -> int:
    async def work(uow_factory) -> int:  # type: ignore[no-untyped-def]
        async with uow_factory() as uow:
            await ensure_bundled_surveys(uow, NOW)
            await uow.commit()
        wave = await make_wave(uow_factory)
        resident = await make_respondent(uow_factory, chat_id=CHAT_ID)
        await make_response(
            uow_factory,
            wave.id,
            resident,
            answers={
                "livability": "livable",
                "residency_intent": "leave",
                "leave_reasons": "work;transport",
                "comment": '=HYPERLINK("http://x")',
            },
        )
        await make_response(uow_factory, wave.id, answers={"livability": "neutral"}, submit=False)
        return wave.id

    return machikoe.seed(work)


def _header_ok(header: list[str]) -> None:
    assert header[:3] == ["respondent", "status", "submitted_at"]
    assert header[3:7] == ["age_band", "sex", "district", "years_lived"]
    assert {"livability", "residency_intent", "leave_reasons", "comment"} <= set(header)


def test_csv_has_one_row_per_response_and_no_chat_id(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = _seed(machikoe)
    output = tmp_path / "out.csv"
    result = machikoe("export", "responses", "--wave", str(wave_id), "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "exported 2 responses" in result.output
    text = output.read_text(encoding="utf-8-sig")
    assert str(CHAT_ID) not in text
    rows = list(csv.DictReader(text.splitlines()))
    _header_ok(list(rows[0].keys()))
    by_status = {row["status"]: row for row in rows}
    complete = by_status["complete"]
    assert complete["leave_reasons"] == "work;transport"
    assert complete["comment"].startswith("'=")
    assert complete["submitted_at"].endswith("+09:00")
    assert complete["age_band"] == "30s"
    assert by_status["partial"]["livability"] == "neutral"
    assert by_status["partial"]["submitted_at"] == ""
    assert complete["respondent"].startswith("key-")


def test_xlsx_opens_and_holds_values_not_formulas(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = _seed(machikoe)
    output = tmp_path / "out.xlsx"
    result = machikoe(
        "export", "responses", "--wave", str(wave_id), "--format", "xlsx", "--output", str(output)
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(output).active
    rows = list(sheet.iter_rows(values_only=True))
    _header_ok(list(rows[0]))
    assert len(rows) == 3
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert not any(cell.startswith("=") for cell in cells)


def test_unknown_wave_is_one_clear_line(machikoe: Machikoe, tmp_path: Path) -> None:
    result = machikoe("export", "responses", "--wave", "999", "--output", str(tmp_path / "x.csv"))
    assert result.exit_code == 1
    assert result.output.strip() == "error: no wave 999"
    assert not (tmp_path / "x.csv").exists()
