"""How a migrated database differs from the models' schema."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from storage.models import Base


def schema_diff(connection: Connection) -> list[Any]:
    """Differences between the migrated database and the models (alembic's own table aside)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diff = compare_metadata(context, Base.metadata)
    return [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
