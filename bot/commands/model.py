"""CLI commands for the comment classifier: model train / evaluate, and classify."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.progress import Progress
from sqlalchemy.exc import SQLAlchemyError

from analysis.text.classify import CommentFileError, classify_csv
from analysis.text.corpus import (
    LabelledComment,
    LabelledFileError,
    parse_goals,
    read_labelled_csv,
)
from analysis.text.metrics import Evaluation
from analysis.text.model_store import ModelFileError, default_model_path
from analysis.text.training import ensure_model, evaluate, retrain_if_not_worse
from bot.cli import CliError
from bot.commands._shared import settings_of
from bot.config import Settings
from bot.services import database_url_for
from storage.db import UnitOfWork, create_engine, session_factory

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


def _print_evaluation(evaluation: Evaluation) -> None:
    click.echo(f"{'goal':<6} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label, s in evaluation.per_goal.items():
        click.echo(f"{label:<6} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:8d}")
    click.echo(f"macro-F1 {evaluation.macro_f1:.3f} over {evaluation.comments} comments")


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
                rows.append(LabelledComment(label.masked_text, parse_goals(";".join(label.goals))))
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
    help="Extra labelled CSV (columns text, goals) to train on.",
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
    """Retrain on the corpus, analysts' labels and --extra; keep the new model only if not worse."""
    database_rows = labels_from_database(settings_of(ctx)) if labels else []
    try:
        extra_rows = read_labelled_csv(extra) if extra else []
        path = default_model_path(_model_dir(ctx, data_dir))
        outcome = retrain_if_not_worse(path, database_rows + extra_rows)
    except (LabelledFileError, ModelFileError) as error:
        raise CliError(str(error)) from None
    old = "none" if outcome.old_macro_f1 is None else f"{outcome.old_macro_f1:.3f}"
    verdict = "kept the new model" if outcome.kept_new else "kept the current model"
    click.echo(f"analysts' labels from the database: {len(database_rows)}")
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
@click.pass_context
def evaluate_command(ctx: click.Context, data_dir: Path | None, input_path: Path) -> None:
    """Print per-goal precision, recall and F1 for a labelled file."""
    try:
        rows = read_labelled_csv(input_path)
        model = ensure_model(_model_dir(ctx, data_dir))
    except (LabelledFileError, ModelFileError) as error:
        raise CliError(str(error)) from None
    if not rows:
        raise CliError(f"{input_path.name}: no labelled comments")
    _print_evaluation(evaluate(model, rows))


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
