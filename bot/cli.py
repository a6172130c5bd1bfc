"""The `machikoe` command line: one entry point, a group per area, one-line errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from bot.config import ConfigError, Settings
from bot.logging_setup import configure_logging


class CliError(click.ClickException):
    """An expected failure: printed as one line, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class MachikoeGroup(click.Group):
    """The root group; the area commands under bot/commands are attached on first use.

    Attaching them lazily (not at import) lets a command module import `bot.cli` itself.
    """

    _loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            _register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)


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


def _register(root: click.Group) -> None:
    """Attach every top-level command of the modules under bot/commands (one module per area)."""
    import importlib
    import pkgutil

    import bot.commands as package

    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"bot.commands.{module_info.name}")
        commands = [
            value
            for value in vars(module).values()
            if isinstance(value, click.Command)
            and getattr(value.callback, "__module__", None) == module.__name__
        ]
        nested = {
            id(child)
            for group in commands
            if isinstance(group, click.Group)
            for child in group.commands.values()
        }
        for command in commands:
            if id(command) not in nested:
                root.add_command(command)


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


if __name__ == "__main__":
    main()
