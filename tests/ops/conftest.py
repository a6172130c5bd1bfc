"""Services on the migrated test database with a settable clock, for operations tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.catalog import ensure_bundled_surveys
from bot.app.services import Services
from bot.config import Settings
from storage.db import UnitOfWork, session_factory
from tests.bot.cli.conftest import Machikoe
from tests.builders import NOW, Clock

T = TypeVar("T")


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


OpsCli = Machikoe


@pytest.fixture
def ops_cli(migrated_database_url: str, tmp_path: Path) -> OpsCli:
    """The CLI on a fresh migrated database (SQLite and PostgreSQL)."""
    return OpsCli(migrated_database_url, tmp_path / "data")
