"""The model train / evaluate and classify commands, run through click's CliRunner."""

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analysis.text.corpus import fixed_test_sets, training_comments
from analysis.text.model_store import COMPARISONS_FILE, default_model_path, load_model
from bot.cli.model import classify_command, model_group

ROTATE = {"1": "2", "2": "3", "3": "4", "4": "other", "other": "1"}


@pytest.fixture
def data_dir(tmp_path: Path, saved_model_path: Path) -> Path:
    """A data directory that already holds the shared model."""
    target = default_model_path(tmp_path)
    target.parent.mkdir(parents=True)
    shutil.copy(saved_model_path, target)
    return tmp_path


def read_comparisons(data_dir: Path) -> list[dict[str, Any]]:
    path = default_model_path(data_dir).with_name(COMPARISONS_FILE)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


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


def test_train_refuses_a_model_made_worse_by_bad_labels(data_dir: Path, tmp_path: Path) -> None:
    before = default_model_path(data_dir).read_bytes()
    wrong = [[r.text, ROTATE[r.primary]] for r in training_comments()]
    extra = write_csv(tmp_path / "wrong.csv", ["text", "goals"], wrong)
    result = CliRunner().invoke(
        model_group, ["train", "--data-dir", str(data_dir), "--extra", str(extra)]
    )
    assert result.exit_code == 0, result.output
    assert "kept the current model" in result.output
    assert default_model_path(data_dir).read_bytes() == before
    [comparison] = read_comparisons(data_dir)
    assert comparison["kept_new"] is False
    assert comparison["current_version"] == load_model(default_model_path(data_dir)).info.version
    assert all(f["new"] < f["current"] for f in comparison["tests"].values())


def test_a_kept_model_carries_its_comparison(data_dir: Path) -> None:
    replaced = load_model(default_model_path(data_dir)).info
    result = CliRunner().invoke(model_group, ["train", "--data-dir", str(data_dir)])
    assert "kept the new model" in result.output  # the same data as the current model: not worse
    info = load_model(default_model_path(data_dir)).info
    assert info.version != replaced.version
    assert info.comparison["current_version"] == replaced.version
    assert info.comparison == read_comparisons(data_dir)[-1]
    assert [c["kept_new"] for c in read_comparisons(data_dir)] == [True]


def test_evaluate_prints_both_test_sets_and_a_given_file(data_dir: Path, tmp_path: Path) -> None:
    labelled = write_csv(
        tmp_path / "labelled.csv",
        ["text", "goals", "primary"],
        [
            ["BRTを増やして", "4", ""],
            ["保育園と仕事がほしい", "1;3", "3"],
            ["海がきれい", "other", ""],
        ],
    )
    result = CliRunner().invoke(
        model_group, ["evaluate", "--data-dir", str(data_dir), "--file", str(labelled)]
    )
    assert result.exit_code == 0, result.output
    titles = [line for line in result.output.splitlines() if line.startswith("== ")]
    assert len(titles) == len(fixed_test_sets()) + 1
    assert titles[0].startswith("== test 1") and titles[-1] == "== labelled.csv: 3 comments"
    given = result.output.split("== labelled.csv")[1].splitlines()
    assert [line.split()[0] for line in given[2:7]] == ["1", "2", "3", "4", "other"]
    assert "macro-F1 (primary goal) " in result.output
    confusion = given[given.index("confusion (rows: true primary goal, columns: predicted)") + 2 :]
    assert sum(int(n) for line in confusion[:5] for n in line.split()[1:]) == 3
    assert "reliability" in result.output and "calibration error" in result.output


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


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["バス", "5", ""], "error: l.csv line 2: unknown goal '5': use 1-4 or other"),
        (["バス", "2;4", "3"], "error: l.csv line 2: primary '3' is not one of its goals 2;4"),
    ],
)
def test_evaluate_rejects_bad_labels_in_one_line(
    data_dir: Path, tmp_path: Path, row: list[str], message: str
) -> None:
    labelled = write_csv(tmp_path / "l.csv", ["text", "goals", "primary"], [row])
    result = CliRunner().invoke(
        model_group, ["evaluate", "--data-dir", str(data_dir), "--file", str(labelled)]
    )
    assert result.exit_code != 0
    assert result.output.strip() == message
