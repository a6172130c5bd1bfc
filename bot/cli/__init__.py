"""The `machikoe` command line: one entry point, a group per area, one-line errors."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from bot.config import ConfigError, Settings
from bot.logging_setup import configure_logging


class CliError(click.ClickException):
    """An expected failure: printed as one line, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


@dataclass(frozen=True)
class CommandEntry:
    """A top-level command: where it lives and the one line `machikoe --help` shows for it."""

    module: str
    attribute: str
    short_help: str


# The explicit list of top-level commands. A command's module is imported only when the command
# runs (or its own --help is asked for), so `machikoe --help` and a quick command never pay for
# the classifier, scikit-learn or the demo. tests/bot/cli/test_cli_registry.py checks each line here
# against the command's own docstring.
COMMANDS: dict[str, CommandEntry] = {
    "backup": CommandEntry(
        "bot.cli.backup", "backup_command", "Back up the database while the bot runs."
    ),
    "classify": CommandEntry(
        "bot.cli.model", "classify_command", "Add goal columns to a CSV of comments."
    ),
    "comments": CommandEntry(
        "bot.cli.comments", "comments_group", "Residents' comments (masked; never chat ids)."
    ),
    "console": CommandEntry(
        "bot.cli.console", "console_group", "The staff and analysts' web console."
    ),
    "db": CommandEntry("bot.cli.db", "db_group", "Database schema."),
    "demo": CommandEntry(
        "bot.cli.demo", "demo_command", "The real bot on a local Telegram stand-in."
    ),
    "export": CommandEntry("bot.cli.export", "export_group", "Export data (never chat ids)."),
    "import": CommandEntry(
        "bot.cli.importer", "import_group", "Import responses collected elsewhere."
    ),
    "model": CommandEntry(
        "bot.cli.model", "model_group", "Train and evaluate the comment classifier."
    ),
    "preview": CommandEntry(
        "bot.cli.demo", "preview_command", "Try a survey definition in the demo."
    ),
    "report": CommandEntry(
        "bot.cli.report", "report_command", "Indicators of a wave (text, JSON, HTML, XLSX)."
    ),
    "restore": CommandEntry(
        "bot.cli.backup", "restore_command", "Restore a backup (stop the bot first)."
    ),
    "retention": CommandEntry(
        "bot.cli.retention", "retention_group", "Data retention: contacts and raw comments."
    ),
    "run": CommandEntry("bot.cli.run", "run", "Run the resident bot until SIGTERM."),
    "staff": CommandEntry("bot.cli.staff", "staff_group", "Staff roles: admins and analysts."),
    "survey": CommandEntry("bot.cli.survey", "survey_group", "Survey definitions (YAML)."),
    "wave": CommandEntry(
        "bot.cli.wave", "wave_group", "Survey waves: create, edit, schedule, open, close."
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module of one top-level command and return the command."""
    entry = COMMANDS[name]
    command = getattr(importlib.import_module(entry.module), entry.attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
    return command


class MachikoeGroup(click.Group):
    """The root group: commands come from COMMANDS and are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from the table, without importing any of them."""
        rows = [(name, COMMANDS[name].short_help) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=MachikoeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    help="Database URL (default: MACHIKOE_DATABASE_URL or SQLite in the data folder).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder for the SQLite database, model and secret (default: MACHIKOE_DATA_DIR or ./var).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more (never answers or comments).")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, data_dir: str | None, verbose: bool) -> None:
    """machikoe (まちの声): Hitachi City's resident survey bot."""
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    ctx.obj = settings.with_overrides(
        database_url=database_url, data_dir=Path(data_dir) if data_dir else None
    )
    configure_logging(ctx.obj, verbose=verbose)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; unexpected errors become one line unless MACHIKOE_DEBUG is set."""
    try:
        cli.main(args=argv, prog_name="machikoe", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # the last line of defence: never show a traceback to staff
        if os.environ.get("MACHIKOE_DEBUG"):
            raise
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
