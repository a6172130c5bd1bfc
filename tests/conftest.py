"""Shared database fixtures: every storage test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import UnitOfWork, create_engine, session_factory, upgrade_database

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The PostgreSQL server used by tests (MACHIKOE_TEST_POSTGRES_URL or the local one)."""
    return os.environ.get("MACHIKOE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _dsn(url: str, database: str | None = None) -> str:
    """A plain libpq-style DSN for asyncpg, optionally for another database."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    if database is not None:
        dsn = dsn.rsplit("/", 1)[0] + "/" + database
    return dsn


def _with_database(url: str, database: str) -> str:
    """The SQLAlchemy URL of another database on the same server."""
    return url.rsplit("/", 1)[0] + "/" + database


async def _admin(sql: str) -> None:
    """Run one administrative statement on the test server."""
    connection = await asyncpg.connect(_dsn(postgres_url()), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _run(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion in a fresh loop on its own thread (safe inside a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(make())).result()


def _postgres_problem() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    try:
        _run(lambda: _admin("SELECT 1"))
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database, created once per test session."""
    problem = _postgres_problem()
    if problem is not None:
        message = f"PostgreSQL at {postgres_url()} is unreachable ({problem})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"machikoe_tmpl_{uuid.uuid4().hex[:12]}"
    _run(lambda: _admin(f'CREATE DATABASE "{name}"'))
    _run(lambda: upgrade_database(_with_database(postgres_url(), name)))
    yield name
    _run(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    _run(lambda: upgrade_database(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    return str(request.param)


@pytest.fixture
async def database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """An empty, isolated database (no tables) on the backend under test."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'machikoe.db'}"
        return
    request.getfixturevalue("postgres_template")
    name = f"machikoe_t_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(postgres_url(), name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def migrated_database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """An isolated database already at the latest migration."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "machikoe.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"machikoe_t_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    try:
        yield _with_database(postgres_url(), name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(migrated_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a migrated, isolated database."""
    engine = create_engine(migrated_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> Callable[[], UnitOfWork]:
    """Makes units of work on the migrated test database: `async with uow_factory() as uow`."""
    factory = session_factory(engine)
    return lambda: UnitOfWork(factory)
