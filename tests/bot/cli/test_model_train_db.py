"""`machikoe model train` learns from analysts' labels stored in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.text.corpus import taxonomy_comments, training_comments
from analysis.text.model_store import default_model_path, load_model
from bot.cli import cli
from tests.bot.cli.conftest import Machikoe
from tests.builders import NOW, make_bundled_wave, make_comment

LABELLED = (
    ("駅前に大きな本屋がほしい【氏名】さんも言っていた", ("2",)),
    ("放課後に子どもを預けられる場所を増やして", ("3",)),
    ("海がきれいで好きです", ("other",)),
)
EXTRA_CSV = "text,goals\n工場の夜勤の求人が多すぎる,1\n"


def _seed_labels(machikoe: Machikoe) -> None:
    async def work(uow_factory) -> None:  # type: ignore[no-untyped-def]
        wave = await make_bundled_wave(uow_factory)
        for text, goals in LABELLED:
            comment_id = await make_comment(uow_factory, wave.id, text, confidence=None)
            async with uow_factory() as uow:
                await uow.comments.add_label(comment_id, ["4"], by=1, at=NOW)  # corrected later:
                await uow.comments.add_label(comment_id, goals, by=2, at=NOW)  # latest one counts
                await uow.commit()

    machikoe.seed(work)


@pytest.mark.parametrize("backend", ["sqlite"])  # training is slow; labeled() is contract-tested
def test_training_adds_database_labels_to_the_training_set(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    _seed_labels(machikoe)
    extra = tmp_path / "extra.csv"
    extra.write_text(EXTRA_CSV, encoding="utf-8")
    result = machikoe("model", "train", "--extra", str(extra))
    assert result.exit_code == 0, result.output
    assert "analysts' labels from the database: 3" in result.output
    assert "kept the new model" in result.output
    info = load_model(default_model_path(machikoe.data_dir)).info  # the bot's data folder
    base = len(training_comments()) + len(taxonomy_comments())
    assert info.training_size == base + len(LABELLED) + 1
    assert info.extra_labels == len(LABELLED) + 1


def test_an_unmigrated_database_is_one_clear_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    env = {
        "MACHIKOE_DATABASE_URL": f"sqlite+aiosqlite:///{empty}",
        "MACHIKOE_DATA_DIR": str(tmp_path / "data"),
    }
    result = CliRunner().invoke(cli, ["model", "train"], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: cannot read analysts' labels from the database")
    assert "--no-labels" in line
    assert not default_model_path(tmp_path / "data").exists()
