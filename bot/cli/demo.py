"""`machikoe demo` and `machikoe preview`: try the bot in a browser, no Telegram needed."""

from __future__ import annotations

import asyncio
import errno
from pathlib import Path

import click

from bot.cli import CliError
from bot.cli._shared import settings_of
from bot.demo.run import DemoOptions, run_demo
from surveys.loader import SurveyDefinitionError, load_survey


def _options(function: click.decorators.FC) -> click.decorators.FC:
    """The options demo and preview share."""
    for option in reversed(
        [
            click.option(
                "--data-dir",
                "data_dir",
                type=click.Path(file_okay=False, path_type=Path),
                help=(
                    "Keep the demo's SQLite database and report here (default: a temporary "
                    "folder removed when the demo stops; the report goes to the current folder)."
                ),
            ),
            click.option("--host", default="127.0.0.1", show_default=True, help="Listen here."),
            click.option(
                "--port",
                type=click.IntRange(0, 65535),
                default=8080,
                show_default=True,
                help="Port of the chat page (0 = any free port).",
            ),
            click.option(
                "--simulate",
                type=click.IntRange(0, 100_000),
                default=0,
                metavar="N",
                help="Play N simulated residents, close the wave and write the HTML report.",
            ),
            click.option(
                "--exit",
                "exit_after",
                is_flag=True,
                help="Stop after the report instead of serving the page until Ctrl-C.",
            ),
        ]
    ):
        function = option(function)
    return function


def _run(ctx: click.Context, options: DemoOptions) -> None:
    """Run the demo; expected failures become one line."""
    try:
        asyncio.run(run_demo(options, settings_of(ctx), click.echo))
    except KeyboardInterrupt:
        click.echo("stopped")
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"port {options.port} on {options.host} is in use; try --port 0"
            ) from None
        raise CliError(f"{exc.strerror or exc}") from None
    except SurveyDefinitionError as exc:
        raise CliError(str(exc)) from None


@click.command("demo")
@_options
@click.option(
    "--survey",
    "survey_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Run this survey definition instead of the bundled one.",
)
@click.pass_context
def demo_command(
    ctx: click.Context,
    data_dir: Path | None,
    host: str,
    port: int,
    simulate: int,
    exit_after: bool,
    survey_file: Path | None,
) -> None:
    """The real bot on local Telegram and LINE stand-ins, with a chat page (a tab for each)."""
    if survey_file is not None:
        _validate(survey_file)
    options = DemoOptions(data_dir, host, port, simulate, exit_after, survey_file)
    _run(ctx, options)


@click.command("preview")
@click.argument("file", type=click.Path(path_type=Path))
@_options
@click.pass_context
def preview_command(
    ctx: click.Context,
    file: Path,
    data_dir: Path | None,
    host: str,
    port: int,
    simulate: int,
    exit_after: bool,
) -> None:
    """Try a survey definition that is not loaded yet, in the demo chat page."""
    _validate(file)
    _run(ctx, DemoOptions(data_dir, host, port, simulate, exit_after, file))


def _validate(path: Path) -> None:
    """A broken survey file stops here with one line naming the file and the field."""
    try:
        load_survey(path)
    except SurveyDefinitionError as exc:
        raise CliError(str(exc)) from None
