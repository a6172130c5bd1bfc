"""Migrations build exactly the models' schema, on SQLite and PostgreSQL, and can run twice."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, text

from storage.db import create_engine, upgrade_database
from storage.migrate import SCHEMA_HEAD, alembic_config
from storage.models import Base, Staff
from tests.builders import NOW
from tests.storage.schema import schema_diff


async def test_upgrade_on_an_empty_database_yields_the_models_schema(database_url: str) -> None:
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(schema_diff) == []
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert set(Base.metadata.tables) <= tables


async def test_upgrade_twice_is_harmless_and_keeps_data(database_url: str) -> None:
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Staff).values(user_id=1, role="admin", added_at=NOW))
        await upgrade_database(database_url)
        async with engine.connect() as connection:
            staff = (await connection.execute(text("SELECT count(*) FROM staff"))).scalar_one()
            version = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one()
    finally:
        await engine.dispose()
    assert staff == 1
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_shipped_head_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


async def test_a_database_left_at_an_older_revision_is_brought_to_the_head(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0003"))
        await upgrade_database(database_url)
        async with engine.connect() as connection:
            version = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one()
            assert await connection.run_sync(schema_diff) == []
    finally:
        await engine.dispose()
    assert version == SCHEMA_HEAD
