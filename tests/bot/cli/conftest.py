"""Run the `machikoe` CLI against a migrated database of either backend: the `machikoe` fixture,
or by database URL (`ok`, `fails`, `query`, `create`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from storage.db import UnitOfWork, create_engine, session_factory

T = TypeVar("T")


@dataclass
class Machikoe:
    """The CLI pointed at one database and data folder."""

    database_url: str
    data_dir: Path

    def __call__(self, *args: str, **env: str) -> Result:
        """Run `machikoe ARGS…` (keyword arguments become MACHIKOE_* variables)."""
        variables = {
            "MACHIKOE_DATABASE_URL": self.database_url,
            "MACHIKOE_DATA_DIR": str(self.data_dir),
            "MACHIKOE_SECRET": "test-secret",
            **{f"MACHIKOE_{name.upper()}": value for name, value in env.items()},
        }
        return CliRunner().invoke(cli, list(args), env=variables, catch_exceptions=False)

    def seed(self, work: Callable[[Callable[[], UnitOfWork]], Awaitable[T]]) -> T:
        """Run async set-up or checks against the same database."""

        async def run() -> T:
            engine = create_engine(self.database_url)
            try:
                factory = session_factory(engine)
                return await work(lambda: UnitOfWork(factory))
            finally:
                await engine.dispose()

        return asyncio.run(run())


@pytest.fixture
def machikoe(migrated_database_url: str, tmp_path: Path) -> Machikoe:
    """The CLI on a fresh migrated database (SQLite and PostgreSQL)."""
    return Machikoe(migrated_database_url, tmp_path / "data")


def lines(result: Any) -> list[str]:
    """Non-empty output lines."""
    return [line for line in result.output.splitlines() if line.strip()]


def run_cli(url: str, *args: str) -> Result:
    """Run the CLI against the test database."""
    env = {"MACHIKOE_DATABASE_URL": url, "MACHIKOE_SECRET": "s"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def ok(url: str, *args: str) -> list[str]:
    """Run and expect success; the output lines."""
    result = run_cli(url, *args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def fails(url: str, *args: str) -> str:
    """Run and expect a one-line error; the line."""
    result = run_cli(url, *args)
    assert result.exit_code == 1, result.output
    said = result.output.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("error: "), result.output
    return said[0]


def query(url: str, work: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
    """Run async work on a unit of work of the test database, and commit it."""

    async def go() -> Any:
        engine = create_engine(url)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                result = await work(uow)
                await uow.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(go())


def create(url: str, *extra: str) -> int:
    """`wave create` of the bundled survey; the id from the last line."""
    said = ok(url, "wave", "create", "--survey", "residency-livability", *extra)
    return int(said[-1])
