"""Services on the migrated test database with a settable clock, for operations tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.catalog import ensure_bundled_surveys
from bot.cli import cli
from bot.config import Settings
from bot.services import Services
from storage.db import UnitOfWork, create_engine, session_factory
from tests.builders import NOW

T = TypeVar("T")


@dataclass
class Clock:
    """A clock tests set by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def make_services(
    engine: AsyncEngine, data_dir: Path, clock: Clock, **settings: object
) -> Services:
    """Services over an existing engine (not closed by the caller's tests)."""
    return Services(
        settings=Settings(data_dir=data_dir, secret="test-secret", **settings),  # type: ignore[arg-type]
        engine=engine,
        sessions=session_factory(engine),
        secret="test-secret",
        clock=clock,
    )


@pytest.fixture
def clock() -> Clock:
    """The injected time, starting at the builders' NOW."""
    return Clock()


@pytest.fixture
async def surveys_loaded(uow_factory: Callable[[], UnitOfWork]) -> AsyncIterator[None]:
    """The bundled surveys stored, so waves know their free-text questions."""
    async with uow_factory() as uow:
        await ensure_bundled_surveys(uow, NOW)
        await uow.commit()
    yield


@dataclass
class OpsCli:
    """The `machikoe` CLI on one database and data folder, with extra environment per call."""

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
def ops_cli(migrated_database_url: str, tmp_path: Path) -> OpsCli:
    """The CLI on a fresh migrated database (SQLite and PostgreSQL)."""
    return OpsCli(migrated_database_url, tmp_path / "data")
