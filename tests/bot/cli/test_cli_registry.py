"""The CLI's explicit command list: every command reachable, quick commands import little."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import COMMANDS, cli, load_command
from surveys.bundled import bundled_survey_path

BUNDLED = bundled_survey_path("residency-livability")
HEAVY = ("sklearn", "skops", "telegram", "matplotlib", "alembic", "bot.demo", "analysis.text")


def _modules_after(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh `machikoe ARGS` process has imported when it exits."""
    code = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('\\n'.join(sorted(sys.modules)), file=sys.stderr))\n"
        "from bot.cli import main\n"
        f"sys.argv = ['machikoe', *{list(args)!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_loads_under_its_own_name(name: str) -> None:
    command = load_command(name)
    assert isinstance(command, click.Command)
    assert command.name == name


def test_help_lists_every_command_with_its_line() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, entry in COMMANDS.items():
        assert any(
            line.split()[:1] == [name] and entry.short_help in line
            for line in result.output.splitlines()
        ), name


def test_an_unknown_command_is_one_clear_line() -> None:
    result = CliRunner().invoke(cli, ["wavez"])
    assert result.exit_code == 2
    assert "No such command 'wavez'" in result.output


def test_help_imports_no_command_module() -> None:
    loaded = _modules_after("--help")
    assert not any(module.startswith("bot.cli.") for module in loaded)


def test_validating_a_survey_file_needs_neither_the_database_nor_the_classifier() -> None:
    loaded = _modules_after("survey", "validate", str(BUNDLED))
    assert not [m for m in loaded if m.split(".")[0] in {"sqlalchemy", *HEAVY}]
    assert not [m for m in loaded if m.startswith(HEAVY)]


def test_listing_waves_reads_through_core_without_the_orm_or_asyncio(tmp_path: Path) -> None:
    env = {**os.environ, "MACHIKOE_DATA_DIR": str(tmp_path)}
    env.pop("MACHIKOE_DATABASE_URL", None)
    _modules_after("wave", "list", env=env)  # the first run creates the database
    loaded = _modules_after("wave", "list", env=env)
    heavy = ("sqlalchemy.orm", "sqlalchemy.ext.asyncio", "storage.models", "pydantic", *HEAVY)
    assert not [m for m in loaded if m.startswith(heavy)]
