"""`machikoe export responses`: one row per response, pseudonymous, safe in a spreadsheet."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from storage.db import UnitOfWork
from tests.bot.cli.conftest import Machikoe, lines
from tests.builders import NOW, make_bundled_wave, make_respondent, make_response

CHAT_ID = 987654321012
COMMENT = "佐藤花子（080-1111-2222）まで連絡ください"
MASKED_COMMENT = "【氏名】(【電話番号】)まで連絡ください"
OTHER = "久慈浜の近くに住む山田太郎です、sato@example.jp へ"
MASKED_OTHER = "久慈浜の近くに住む【氏名】です、【メール】 へ"


def _seed(machikoe: Machikoe) -> int:
    async def work(uow_factory) -> int:  # type: ignore[no-untyped-def]
        wave = await make_bundled_wave(uow_factory)
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


def _seed_personal(machikoe: Machikoe) -> int:
    """A complete response whose comment and 「その他」 text hold a name, a phone and an e-mail."""

    async def work(uow_factory: Callable[[], UnitOfWork]) -> int:
        wave = await make_bundled_wave(uow_factory)
        await make_response(
            uow_factory,
            wave.id,
            answers={
                "livability": "livable",
                "residency_intent": "leave",
                "leave_reasons": "transport;other",
                "comment": COMMENT,
            },
            other_texts={"leave_reasons": OTHER},
            submitted_at=NOW + timedelta(microseconds=123456),
        )
        return wave.id

    return machikoe.seed(work)


def _export(machikoe: Machikoe, wave_id: int, output: Path, *args: str, **env: str) -> Any:
    result = machikoe(
        "export", "responses", "--wave", str(wave_id), "--output", str(output), *args, **env
    )
    assert result.exit_code == 0, result.output
    return result


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_csv_masks_comments_and_other_texts(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = _seed_personal(machikoe)
    output = tmp_path / "out.csv"
    _export(machikoe, wave_id, output)
    text = output.read_text(encoding="utf-8-sig")
    for personal in ("佐藤花子", "080-1111-2222", "山田太郎", "sato@example.jp"):
        assert personal not in text
    (row,) = _csv_rows(output)
    assert row["comment"] == MASKED_COMMENT
    assert row["leave_reasons"] == "transport;other"
    assert row["leave_reasons_other"] == MASKED_OTHER
    assert row["submitted_at"] == "2025-04-01T18:00:00+09:00"


def test_xlsx_masks_and_has_labels_codebook_and_real_dates(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = _seed_personal(machikoe)
    output = tmp_path / "out.xlsx"
    _export(machikoe, wave_id, output, "--format", "xlsx")
    book = load_workbook(output)
    assert book.sheetnames == ["回答", "回答（ラベル付き）", "コードブック"]
    header, row = list(book["回答"].iter_rows(values_only=True))
    cells = dict(zip(header, row, strict=True))
    assert cells["comment"] == MASKED_COMMENT
    assert cells["leave_reasons_other"] == MASKED_OTHER
    assert cells["submitted_at"] == datetime(2025, 4, 1, 18, 0, 0)
    assert "livability_label" not in cells
    header, row = list(book["回答（ラベル付き）"].iter_rows(values_only=True))
    assert header.index("livability_label") == header.index("livability") + 1
    labelled = dict(zip(header, row, strict=True))
    assert labelled["livability_label"] == "住みやすい"
    assert labelled["age_band"] == "30s" and labelled["age_band_label"] == "30代"
    assert labelled["leave_reasons_label"] == "公共交通（JR・BRT・バス）が不便;その他"
    assert labelled["comment"] == MASKED_COMMENT
    codebook = list(book["コードブック"].iter_rows(values_only=True))
    assert codebook[0] == ("question", "question_text", "code", "label")
    assert (
        "livability",
        "日立市は住みやすいまちだと思いますか。",
        "livable",
        "住みやすい",
    ) in codebook
    assert any(r[0] == "leave_reasons_other" for r in codebook)
    assert ("sex", "性別を教えてください。", "female", "女性") in codebook


def test_csv_labels_option_and_codebook_file(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = _seed_personal(machikoe)
    output, codebook = tmp_path / "out.csv", tmp_path / "codebook.csv"
    _export(machikoe, wave_id, output, "--labels", "--codebook", str(codebook))
    (row,) = _csv_rows(output)
    header = list(row)
    assert header.index("residency_intent_label") == header.index("residency_intent") + 1
    assert row["residency_intent_label"] == "市外に移りたい"
    assert {
        "question": "residency_intent",
        "question_text": "これからも日立市に住み続けたいと思いますか。",
        "code": "leave",
        "label": "市外に移りたい",
    } in _csv_rows(codebook)
    _export(machikoe, wave_id, output)
    assert "residency_intent_label" not in _csv_rows(output)[0]


def test_raw_export_is_explicit_and_logged(
    machikoe: Machikoe, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wave_id = _seed_personal(machikoe)
    output = tmp_path / "raw.csv"
    with caplog.at_level(logging.WARNING):
        _export(machikoe, wave_id, output, "--raw")
    (row,) = _csv_rows(output)
    assert row["comment"] == COMMENT and row["leave_reasons_other"] == OTHER
    assert any("--raw" in record.getMessage() for record in caplog.records)
    assert not any(COMMENT in record.getMessage() for record in caplog.records)
    result = machikoe(
        "export",
        "responses",
        "--wave",
        str(wave_id),
        "--output",
        str(tmp_path / "no.csv"),
        "--raw",
        keep_raw_comments="false",
    )
    assert result.exit_code == 1
    assert lines(result) == [
        "error: raw comments are not kept here (MACHIKOE_KEEP_RAW_COMMENTS is off)"
    ]
    assert not (tmp_path / "no.csv").exists()
