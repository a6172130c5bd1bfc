"""Alembic environment: uses the caller's connection, or builds an async engine from the URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from storage.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    """Run the migrations on a synchronous connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    """Open an async engine for the URL and run the migrations through it."""
    from storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Entry point used by Alembic commands."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from storage.db import resolve_database_url

    url = context.config.get_main_option("sqlalchemy.url") or resolve_database_url(None)
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run 'machikoe db upgrade'")
run_migrations_online()
