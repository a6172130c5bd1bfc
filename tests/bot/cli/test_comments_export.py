"""`machikoe comments export`: masked text, goals, labels; never chat ids or raw text."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app.comments import mask_comment
from bot.cli import cli
from tests.bot.cli.conftest import Machikoe
from tests.builders import NOW, make_bundled_wave, make_respondent, make_response

CHAT_ID = 987654321012
STAFF_ID = 555000111222
PHONE_AND_NAME = "保育園が足りません。山田太郎 090-1234-5678 まで"
FORMULA = '=HYPERLINK("http://x","クリック")'


def _seed(machikoe: Machikoe) -> int:
    async def work(uow_factory) -> int:  # type: ignore[no-untyped-def]
        wave = await make_bundled_wave(uow_factory)
        for text, goals, confidence, review in (
            (PHONE_AND_NAME, ("3",), 0.91, False),
            (FORMULA, ("other",), 0.0, True),
        ):
            resident = await make_respondent(uow_factory, chat_id=CHAT_ID)
            response = await make_response(
                uow_factory, wave.id, resident, answers={"comment": text}
            )
            async with uow_factory() as uow:
                answer = (await uow.responses.answers(response.id))["comment"]
                masked = mask_comment(answer.id, text)
                comment = await uow.comments.add(
                    answer.id, wave.id, masked.masked_text, NOW, masked.language
                )
                await uow.comments.set_classification(
                    comment.id,
                    goals=goals,
                    primary_goal=goals[0],
                    confidence=confidence,
                    needs_review=review,
                    model_version="test",
                    at=NOW,
                )
                if text == PHONE_AND_NAME:
                    await uow.comments.add_label(comment.id, ["3", "4"], by=STAFF_ID, at=NOW)
                await uow.commit()
        return wave.id

    return machikoe.seed(work)


def test_export_is_masked_labelled_and_free_of_ids(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = _seed(machikoe)
    output = tmp_path / "comments.csv"
    result = machikoe("comments", "export", "--wave", str(wave_id), "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "exported 2 comments" in result.output
    text = output.read_text(encoding="utf-8-sig")
    assert str(CHAT_ID) not in text and str(STAFF_ID) not in text
    assert "090-1234-5678" not in text and "山田" not in text
    rows = list(csv.DictReader(text.splitlines()))
    assert "raw_text" not in rows[0]
    masked, formula = rows
    assert "【電話番号】" in masked["text"] and "【氏名】" in masked["text"]
    assert (masked["goal"], masked["goals"], masked["confidence"]) == ("3", "3", "0.910")
    assert (masked["labels"], masked["needs_review"]) == ("3;4", "false")
    assert masked["labeled_at"].endswith("+09:00")
    assert formula["text"].startswith("'=")
    assert (formula["needs_review"], formula["labels"]) == ("true", "")


def test_raw_text_only_when_asked_and_kept(
    machikoe: Machikoe, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wave_id = _seed(machikoe)
    output = tmp_path / "raw.csv"
    args = ["comments", "export", "--wave", str(wave_id), "--output", str(output), "--raw"]
    with caplog.at_level(logging.WARNING):
        result = machikoe(*args)
    assert result.exit_code == 0, result.output
    logged = [record.getMessage() for record in caplog.records]
    assert f"wave {wave_id}: 2 comments exported with unmasked text (--raw)" in logged
    assert not any(PHONE_AND_NAME in line for line in logged)
    rows = list(csv.DictReader(output.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["raw_text"] == PHONE_AND_NAME
    assert rows[1]["raw_text"].startswith("'=")

    refused = tmp_path / "refused.csv"
    env = {
        "MACHIKOE_DATABASE_URL": machikoe.database_url,
        "MACHIKOE_DATA_DIR": str(machikoe.data_dir),
        "MACHIKOE_SECRET": "test-secret",
        "MACHIKOE_KEEP_RAW_COMMENTS": "false",
    }
    args[args.index(str(output))] = str(refused)
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: raw comments are not kept here (MACHIKOE_KEEP_RAW_COMMENTS is off)"
    ]
    assert not refused.exists()


def test_unknown_wave_is_one_clear_line(machikoe: Machikoe, tmp_path: Path) -> None:
    output = tmp_path / "x.csv"
    result = machikoe("comments", "export", "--wave", "999", "--output", str(output))
    assert result.exit_code == 1
    assert result.output.strip() == "error: no wave 999"
    assert not output.exists()
