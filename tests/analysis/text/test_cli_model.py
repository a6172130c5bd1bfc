"""The model train / evaluate and classify commands, run through click's CliRunner."""

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.text.corpus import training_comments
from analysis.text.model_store import default_model_path, load_model
from bot.commands.model import classify_command, model_group

ROTATE = {"1": "2", "2": "3", "3": "4", "4": "other", "other": "1"}


@pytest.fixture
def data_dir(tmp_path: Path, saved_model_path: Path) -> Path:
    """A data directory that already holds the shared model."""
    target = default_model_path(tmp_path)
    target.parent.mkdir(parents=True)
    shutil.copy(saved_model_path, target)
    return tmp_path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_train_creates_a_model_when_there_is_none(tmp_path: Path) -> None:
    result = CliRunner().invoke(model_group, ["train", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "kept the new model" in result.output
    assert load_model(default_model_path(tmp_path)).info.training_size > 500


def test_train_rejects_a_model_made_worse_by_bad_labels(data_dir: Path, tmp_path: Path) -> None:
    before = default_model_path(data_dir).read_bytes()
    wrong = [[r.text, ROTATE[r.goals[0]]] for r in training_comments() if len(r.goals) == 1]
    extra = write_csv(tmp_path / "wrong.csv", ["text", "goals"], wrong)
    result = CliRunner().invoke(
        model_group, ["train", "--data-dir", str(data_dir), "--extra", str(extra)]
    )
    assert result.exit_code == 0, result.output
    assert "kept the current model" in result.output
    assert default_model_path(data_dir).read_bytes() == before


def test_evaluate_prints_a_line_per_goal(data_dir: Path, tmp_path: Path) -> None:
    labelled = write_csv(
        tmp_path / "labelled.csv",
        ["text", "goals"],
        [["BRTを増やして", "4"], ["保育園が足りない", "3"], ["海がきれい", "other"]],
    )
    result = CliRunner().invoke(
        model_group, ["evaluate", "--data-dir", str(data_dir), "--input", str(labelled)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines[1:6]] == ["1", "2", "3", "4", "other"]
    assert "macro-F1" in lines[-1]


def test_classify_adds_four_columns_and_keeps_the_others(data_dir: Path, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "in.csv",
        ["id", "comment"],
        [["1", "BRTの本数を増やして"], ["2", '=HYPERLINK("x")保育園'], ["3", "Hello"]],
    )
    out = tmp_path / "out.csv"
    args = ["--data-dir", str(data_dir), "--input", str(source), "--output", str(out)]
    result = CliRunner().invoke(classify_command, [*args, "--text-column", "comment"])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "comment", "goal", "goals", "confidence", "needs_review"]
    assert rows[0]["goal"] == "4" and rows[0]["needs_review"] in {"true", "false"}
    assert rows[1]["comment"].startswith("'=")
    assert rows[2]["needs_review"] == "true" and rows[2]["goals"] == "other"
    assert 0.0 <= float(rows[0]["confidence"]) <= 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,body\n1,バス\n".encode(), "no column 'text'"),
        ("text\nバスが少ない\n".encode("shift_jis"), "not UTF-8"),
        (b"", "empty file"),
    ],
)
def test_classify_bad_input_is_one_line_and_fails(
    data_dir: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    args = ["--data-dir", str(data_dir), "--input", str(source), "--output", str(tmp_path / "o")]
    result = CliRunner().invoke(classify_command, args)
    assert result.exit_code != 0
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_evaluate_rejects_unknown_goals_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    labelled = write_csv(tmp_path / "l.csv", ["text", "goals"], [["バス", "5"]])
    result = CliRunner().invoke(
        model_group, ["evaluate", "--data-dir", str(data_dir), "--input", str(labelled)]
    )
    assert result.exit_code != 0
    assert result.output.strip() == "error: l.csv line 2: unknown goal '5': use 1-4 or other"
