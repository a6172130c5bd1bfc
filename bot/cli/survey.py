"""`machikoe survey`: validate, load and list survey definitions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli import CliError
from surveys.loader import SurveyDefinitionError, load_survey

if TYPE_CHECKING:
    from bot.app.services import Services

# `survey validate` needs no database: the storage modules are imported by the commands that use
# them, so validating a file starts in a fraction of a second (bench/cli_bench.py).


@click.group("survey")
def survey_group() -> None:
    """Survey definitions (YAML)."""


@survey_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_command(files: tuple[Path, ...]) -> None:
    """Check survey files; print one line per problem and exit non-zero if any is broken."""
    broken = 0
    for path in files:
        try:
            survey = load_survey(path)
        except SurveyDefinitionError as exc:
            broken += 1
            click.echo(f"error: {exc}", err=True)
            continue
        click.echo(
            f"ok: {path}: {survey.id} version {survey.version}, "
            f"{len(survey.questions)} questions, {len(survey.indicators)} indicators"
        )
    if broken:
        raise SystemExit(1)


@survey_group.command("load")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def load_command(ctx: click.Context, file: Path) -> None:
    """Validate a survey file and store it as a new version."""
    from bot.app.catalog import store_survey_file
    from bot.cli._shared import with_services

    async def work(services: Services) -> str:
        async with services.uow() as uow:
            record = await store_survey_file(uow, file, services.now())
            await uow.commit()
        return f"loaded: {record.survey_id} version {record.version}"

    try:
        click.echo(with_services(ctx, work))
    except SurveyDefinitionError as exc:
        raise CliError(str(exc)) from None


@survey_group.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """List loaded surveys with their latest version."""
    from bot.cli._shared import with_services

    async def work(services: Services) -> list[str]:
        async with services.uow() as uow:
            records = await uow.surveys.list_latest()
        return [
            f"{r.survey_id}\t{r.version}\t{r.loaded_at:%Y-%m-%d %H:%M}\t{r.title}" for r in records
        ]

    lines = with_services(ctx, work)
    if not lines:
        click.echo("no surveys loaded (machikoe survey load FILE)")
    for line in lines:
        click.echo(line)
