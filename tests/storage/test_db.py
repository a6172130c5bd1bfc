"""Engine, URLs, the unit of work and the respondent pseudonym."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import (
    UnitOfWork,
    create_engine,
    pseudonym,
    resolve_database_url,
    upgrade_database,
)
from tests.builders import NOW


def test_url_argument_wins_and_plain_drivers_become_async(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MACHIKOE_DATABASE_URL", "postgresql://env/db")
    assert resolve_database_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert resolve_database_url(None) == "postgresql+asyncpg://env/db"
    assert resolve_database_url("postgresql+asyncpg://h/d") == "postgresql+asyncpg://h/d"


def test_default_url_is_sqlite_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MACHIKOE_DATABASE_URL", raising=False)
    monkeypatch.setenv("MACHIKOE_DATA_DIR", str(tmp_path))
    assert resolve_database_url(None) == f"sqlite+aiosqlite:///{tmp_path / 'machikoe.db'}"


def test_pseudonym_is_stable_keyed_and_hides_the_user_id() -> None:
    key = pseudonym(123456789, "secret")
    assert key == pseudonym(123456789, "secret")
    assert key != pseudonym(123456789, "other secret")
    assert key != pseudonym(123456780, "secret")
    assert len(key) == 32 and "123456789" not in key
    with pytest.raises(ValueError):
        pseudonym(1, "")


async def test_upgrade_creates_the_sqlite_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'deeper' / 'machikoe.db'}"
    await upgrade_database(url)
    assert (tmp_path / "new" / "deeper" / "machikoe.db").exists()


async def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
    finally:
        await engine.dispose()
    assert (mode, keys) == ("wal", 1)
    assert busy > 0


async def test_work_without_commit_is_rolled_back(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    async with uow_factory() as uow:
        await uow.staff.add(1, "admin", NOW)
    async with uow_factory() as uow:
        assert await uow.staff.role_of(1) is None


async def test_an_exception_rolls_back_and_commit_keeps(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.staff.add(1, "admin", NOW)
            raise RuntimeError("boom")
    async with uow_factory() as uow:
        await uow.staff.add(2, "analyst", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert [s.user_id for s in await uow.staff.list()] == [2]


async def test_timestamps_come_back_timezone_aware(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    async with uow_factory() as uow:
        await uow.staff.add(7, "admin", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        (member,) = await uow.staff.list()
    assert member.added_at == NOW and member.added_at.tzinfo is not None
