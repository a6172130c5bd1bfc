"""CLI commands for the comment classifier: model train / evaluate, and classify."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.progress import Progress
from sqlalchemy.exc import SQLAlchemyError

from analysis.taxonomy import LABELS
from analysis.text.classify import CommentFileError, classify_csv
from analysis.text.corpus import (
    TEST_SET_NAMES,
    LabelledComment,
    LabelledFileError,
    fixed_test_sets,
    parse_row,
    read_labelled_csv,
)
from analysis.text.metrics import Evaluation
from analysis.text.model_store import ModelFileError, default_model_path
from analysis.text.training import ensure_model, evaluate, retrain_if_not_worse
from bot.app.services import database_url_for
from bot.cli import CliError
from bot.cli._shared import settings_of
from bot.config import Settings
from storage.db import UnitOfWork, create_engine, session_factory
from surveys.codec import join_codes

DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding models/comment_classifier.skops (default: the data folder the bot uses).",
)
PROGRESS_FROM_ROWS = 500


def _model_dir(ctx: click.Context, data_dir: Path | None) -> Path:
    """The given folder, else the configured data folder (where the running bot reads its model)."""
    return data_dir if data_dir is not None else Path(settings_of(ctx).data_dir)


def _print_evaluation(title: str, evaluation: Evaluation) -> None:
    """Per-goal scores, the confusion matrix and the reliability table of one labelled set."""
    click.echo(f"== {title}: {evaluation.comments} comments")
    click.echo(f"primary goal   {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label, s in evaluation.per_goal.items():
        click.echo(f"{label:<14} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:8d}")
    click.echo(f"macro-F1 (primary goal) {evaluation.macro_f1:.3f}")
    every = "  ".join(f"{label} {s.f1:.2f}" for label, s in evaluation.goals.items())
    click.echo(f"every goal touched: F1 {every}; macro-F1 {evaluation.goals_macro_f1:.3f}")
    click.echo("confusion (rows: true primary goal, columns: predicted)")
    click.echo("       " + "".join(f"{label:>7}" for label in LABELS))
    for label, row in zip(LABELS, evaluation.confusion, strict=True):
        click.echo(f"{label:<7}" + "".join(f"{count:7d}" for count in row))
    click.echo("reliability (confidence shown to analysts vs how often the primary goal was right)")
    for b in evaluation.reliability:
        bar = "#" * round(b.accuracy * 20)
        click.echo(
            f"  {b.low:.1f}-{b.high:.1f} {b.comments:5d} comments  said {b.mean_confidence:.2f}"
            f"  right {b.accuracy:.2f}  {bar}"
        )
    click.echo(f"calibration error {evaluation.calibration_error():.3f}")


def labels_from_database(settings: Settings) -> list[LabelledComment]:
    """Analysts' latest labels (masked comment text and goals) from the configured database."""
    url = database_url_for(settings)
    default_file = Path(settings.data_dir) / "machikoe.db"
    if not settings.database_url and not default_file.is_file():
        return []  # no bot has run here yet, so nobody labelled anything

    async def read() -> list[LabelledComment]:
        engine = create_engine(url)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                stored = await uow.comments.labeled()
        finally:
            await engine.dispose()
        rows = []
        for label in stored:
            try:
                rows.append(parse_row(label.masked_text, join_codes(label.goals), None))
            except ValueError:
                continue  # a label without goals teaches nothing
        return rows

    try:
        return asyncio.run(read())
    except SQLAlchemyError as error:
        raise CliError(
            f"cannot read analysts' labels from the database ({type(error).__name__}); "
            "run `machikoe db upgrade` or train with --no-labels"
        ) from None


@click.group("model")
def model_group() -> None:
    """Train and evaluate the comment classifier."""


@model_group.command("train")
@DATA_DIR
@click.option(
    "--extra",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra labelled CSV (columns text, goals, optional primary) to train on.",
)
@click.option(
    "--labels/--no-labels",
    default=True,
    show_default=True,
    help="Also train on analysts' labels stored in the database.",
)
@click.pass_context
def train_command(
    ctx: click.Context, data_dir: Path | None, extra: Path | None, labels: bool
) -> None:
    """Retrain on the corpus, analysts' labels and --extra; keep the new model only if it is
    not worse than the current one on either fixed test set."""
    database_rows = labels_from_database(settings_of(ctx)) if labels else []
    try:
        extra_rows = read_labelled_csv(extra) if extra else []
        path = default_model_path(_model_dir(ctx, data_dir))
        outcome = retrain_if_not_worse(path, database_rows + extra_rows)
    except (LabelledFileError, ModelFileError) as error:
        raise CliError(str(error)) from None
    click.echo(f"analysts' labels from the database: {len(database_rows)}")
    for name, (new, old) in outcome.figures().items():
        current = "none" if old is None else f"{old:.3f}"
        click.echo(f"{TEST_SET_NAMES.get(name, name)} macro-F1: new {new:.3f}, current {current}")
    verdict = "kept the new model" if outcome.kept_new else "kept the current model"
    click.echo(f"{verdict} (version {outcome.model.info.version})")


@model_group.command("evaluate")
@DATA_DIR
@click.option(
    "--file",
    "--input",
    "files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A labelled CSV (text, goals as 1-4 or other ';'-joined, optional primary); repeatable.",
)
@click.pass_context
def evaluate_command(ctx: click.Context, data_dir: Path | None, files: tuple[Path, ...]) -> None:
    """Print per-goal precision, recall, F1, confusion and reliability on both fixed test sets
    and on every --file."""
    try:
        given = {path.name: read_labelled_csv(path) for path in files}
        model = ensure_model(_model_dir(ctx, data_dir))
    except (LabelledFileError, ModelFileError) as error:
        raise CliError(str(error)) from None
    empty = [name for name, rows in given.items() if not rows]
    if empty:
        raise CliError(f"{empty[0]}: no labelled comments")
    click.echo(f"model {model.info.version}, trained on {model.info.training_size} comments")
    named = {TEST_SET_NAMES.get(name, name): rows for name, rows in fixed_test_sets().items()}
    for title, rows in {**named, **given}.items():
        _print_evaluation(title, evaluate(model, rows))


@click.command("classify")
@DATA_DIR
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--output", "output_path", required=True, type=click.Path(path_type=Path))
@click.option("--text-column", default="text", show_default=True)
@click.pass_context
def classify_command(
    ctx: click.Context, data_dir: Path | None, input_path: Path, output_path: Path, text_column: str
) -> None:
    """Add goal, goals, confidence and needs_review columns to a CSV of comments."""
    try:
        model = ensure_model(_model_dir(ctx, data_dir))
        with Progress(transient=True) as bar:
            task = bar.add_task("classifying", total=None, visible=False)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, visible=total >= PROGRESS_FROM_ROWS)

            count = classify_csv(model, input_path, output_path, text_column, advance)
    except (CommentFileError, ModelFileError) as error:
        raise CliError(str(error)) from None
    click.echo(f"classified {count} comments into {output_path}")
