"""CLI commands for the comment classifier: model train / evaluate, and classify."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import Progress

from analysis.text.classify import CommentFileError, classify_csv
from analysis.text.corpus import LabelledFileError, read_labelled_csv
from analysis.text.metrics import Evaluation
from analysis.text.model_store import ModelFileError, default_model_path
from analysis.text.training import ensure_model, evaluate, retrain_if_not_worse

DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Directory holding models/comment_classifier.skops.",
)
PROGRESS_FROM_ROWS = 500


def _print_evaluation(evaluation: Evaluation) -> None:
    click.echo(f"{'goal':<6} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label, s in evaluation.per_goal.items():
        click.echo(f"{label:<6} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:8d}")
    click.echo(f"macro-F1 {evaluation.macro_f1:.3f} over {evaluation.comments} comments")


@click.group("model")
def model_group() -> None:
    """Train and evaluate the comment classifier."""


@model_group.command("train")
@DATA_DIR
@click.option(
    "--extra",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra labelled CSV (columns text, goals) to train on.",
)
def train_command(data_dir: Path, extra: Path | None) -> None:
    """Retrain on the corpus (plus extra labels); keep the new model only if not worse."""
    try:
        extra_rows = read_labelled_csv(extra) if extra else []
        outcome = retrain_if_not_worse(default_model_path(data_dir), extra_rows)
    except (LabelledFileError, ModelFileError) as error:
        raise click.ClickException(str(error)) from None
    old = "none" if outcome.old_macro_f1 is None else f"{outcome.old_macro_f1:.3f}"
    verdict = "kept the new model" if outcome.kept_new else "kept the current model"
    click.echo(f"test macro-F1: new {outcome.new_macro_f1:.3f}, current {old}; {verdict}")


@model_group.command("evaluate")
@DATA_DIR
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Labelled CSV with columns text and goals (1-4 or other, ';'-joined).",
)
def evaluate_command(data_dir: Path, input_path: Path) -> None:
    """Print per-goal precision, recall and F1 for a labelled file."""
    try:
        rows = read_labelled_csv(input_path)
        model = ensure_model(data_dir)
    except (LabelledFileError, ModelFileError) as error:
        raise click.ClickException(str(error)) from None
    if not rows:
        raise click.ClickException(f"{input_path.name}: no labelled comments")
    _print_evaluation(evaluate(model, rows))


@click.command("classify")
@DATA_DIR
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--output", "output_path", required=True, type=click.Path(path_type=Path))
@click.option("--text-column", default="text", show_default=True)
def classify_command(data_dir: Path, input_path: Path, output_path: Path, text_column: str) -> None:
    """Add goal, goals, confidence and needs_review columns to a CSV of comments."""
    try:
        model = ensure_model(data_dir)
        with Progress(transient=True) as bar:
            task = bar.add_task("classifying", total=None, visible=False)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, visible=total >= PROGRESS_FROM_ROWS)

            count = classify_csv(model, input_path, output_path, text_column, advance)
    except (CommentFileError, ModelFileError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"classified {count} comments into {output_path}")
