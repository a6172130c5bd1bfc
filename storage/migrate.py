"""Alembic migrations: the shipped schema's head and the upgrade to it.

Alembic is imported only when a database is not at the head already: a command run against an
up-to-date database (almost every run) pays one query instead of Alembic's import.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# The newest revision in migrations/versions; tests/storage/test_migrations.py checks it against
# Alembic's own head, so a new migration that forgets to move it fails there.
SCHEMA_HEAD = "0009"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code, pointing at the shipped migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    """Run Alembic's upgrade to head on a synchronous connection."""
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


_REVISION = text("SELECT version_num FROM alembic_version")


def revision_of(connection: Connection) -> str | None:
    """The revision of a synchronous connection's database, or None when it has no schema."""
    try:
        versions = [row[0] for row in connection.execute(_REVISION)]
    except DBAPIError:
        return None
    return versions[0] if len(versions) == 1 else None


async def schema_revision(engine: AsyncEngine) -> str | None:
    """The database's current revision, or None when it has no schema yet."""
    try:
        async with engine.connect() as connection:
            result = await connection.execute(_REVISION)
            versions = [row[0] for row in result]
    except DBAPIError:
        return None
    return versions[0] if len(versions) == 1 else None


async def upgrade_engine(engine: AsyncEngine) -> None:
    """Bring the engine's database to the head revision (a no-op when it is there)."""
    if await schema_revision(engine) == SCHEMA_HEAD:
        return
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
