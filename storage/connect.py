"""Database URLs and connection settings, without the ORM or asyncio.

Shared by the application's async engine (storage/db.py) and the synchronous engine of one-shot
reads (storage/overview.py), so both open the same database the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sqlalchemy_engine
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 10_000
DATABASE_FILE = "machikoe.db"

# (written prefix, async driver, synchronous driver)
_DRIVERS = (
    ("postgresql+asyncpg://", "postgresql+asyncpg://", "postgresql+psycopg://"),
    ("postgresql+psycopg2://", "postgresql+asyncpg://", "postgresql+psycopg://"),
    ("postgresql+psycopg://", "postgresql+asyncpg://", "postgresql+psycopg://"),
    ("postgresql://", "postgresql+asyncpg://", "postgresql+psycopg://"),
    ("postgres://", "postgresql+asyncpg://", "postgresql+psycopg://"),
    ("sqlite+aiosqlite://", "sqlite+aiosqlite://", "sqlite+pysqlite://"),
    ("sqlite+pysqlite://", "sqlite+aiosqlite://", "sqlite+pysqlite://"),
    ("sqlite://", "sqlite+aiosqlite://", "sqlite+pysqlite://"),
)


def default_database_url() -> str:
    """The embedded SQLite database in the data directory."""
    data_dir = Path(os.environ.get("MACHIKOE_DATA_DIR") or "./var")
    return f"sqlite+aiosqlite:///{data_dir / DATABASE_FILE}"


def database_url(configured: str | None, data_dir: Path) -> str:
    """The configured URL, or SQLite in the data folder, with the async driver."""
    return resolve_database_url(configured or f"sqlite:///{data_dir / DATABASE_FILE}")


def resolve_database_url(url: str | None = None) -> str:
    """Pick the URL (argument, then MACHIKOE_DATABASE_URL, then default) with an async driver."""
    chosen = url or os.environ.get("MACHIKOE_DATABASE_URL") or default_database_url()
    for written, driver, _ in _DRIVERS:
        if chosen.startswith(written):
            return driver + chosen[len(written) :]
    return chosen


def sync_database_url(url: str) -> str:
    """The same database with the synchronous driver (pysqlite, psycopg)."""
    for written, _, driver in _DRIVERS:
        if url.startswith(written):
            return driver + url[len(written) :]
    return url


def is_sqlite(url: str) -> bool:
    """True for SQLite URLs."""
    return make_url(url).get_backend_name() == "sqlite"


def prepare_sqlite_file(url: str) -> None:
    """Create the folder of a SQLite database file if it is missing."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout on every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sync_engine(url: str) -> Engine:
    """A synchronous engine on the database of this URL (SQLite with the bot's pragmas)."""
    url = sync_database_url(url)
    if is_sqlite(url):
        prepare_sqlite_file(url)
        engine = create_sqlalchemy_engine(url)
        event.listen(engine, "connect", sqlite_pragmas)
        return engine
    return create_sqlalchemy_engine(url)
