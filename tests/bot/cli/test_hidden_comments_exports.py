"""A comment hidden in the console (moderation) leaves in no export and teaches no model."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from bot.cli.export import HIDDEN_TEXT
from bot.cli.model import labels_from_database
from bot.config import Settings
from storage.repositories.comment_search import CommentSearch
from tests.bot.cli.conftest import Machikoe
from tests.builders import NOW, Seed, make_bundled_wave, store_comments

KEPT = "バスの本数を増やしてほしい"
RUDE = "市役所の担当者はばかだ"


def _seed(machikoe: Machikoe) -> int:
    """A wave with two labelled comments, the rude one hidden by staff."""

    async def work(uow_factory) -> int:  # type: ignore[no-untyped-def]
        wave = await make_bundled_wave(uow_factory)
        kept, rude = await store_comments(
            uow_factory, wave.id, [Seed(KEPT, ["4"]), Seed(RUDE, ["2"])]
        )
        async with uow_factory() as uow:
            for comment_id in (kept, rude):
                await uow.comments.add_label(comment_id, ["4"], by=1, at=NOW)
            await CommentSearch(uow.session).hide([rude], "誹謗中傷", 1, NOW)
            await uow.commit()
        return wave.id

    return machikoe.seed(work)


def test_the_comments_export_leaves_a_hidden_comment_out(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = _seed(machikoe)
    output = tmp_path / "comments.csv"
    result = machikoe("comments", "export", "--wave", str(wave_id), "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "exported 1 comments" in result.output
    text = output.read_text(encoding="utf-8-sig")
    assert KEPT in text and RUDE not in text


def test_the_responses_export_shows_a_hidden_comment_as_hidden(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = _seed(machikoe)
    table = tmp_path / "responses.csv"
    result = machikoe("export", "responses", "--wave", str(wave_id), "--output", str(table))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(table.open(encoding="utf-8-sig")))
    assert sorted(row["comment"] for row in rows) == sorted([KEPT, HIDDEN_TEXT])

    book = tmp_path / "responses.xlsx"
    args = ("export", "responses", "--wave", str(wave_id), "--format", "xlsx")
    assert machikoe(*args, "--output", str(book)).exit_code == 0
    cells = {str(c.value) for row in load_workbook(book).worksheets[0].iter_rows() for c in row}
    assert KEPT in cells and HIDDEN_TEXT in cells and RUDE not in cells


def test_training_takes_no_label_of_a_hidden_comment(machikoe: Machikoe) -> None:
    _seed(machikoe)
    settings = Settings(data_dir=machikoe.data_dir, database_url=machikoe.database_url)
    labels = labels_from_database(settings)
    assert [label.text for label in labels] == [KEPT]
