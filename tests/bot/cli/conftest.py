"""Run the `machikoe` CLI against a migrated database of either backend."""

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
