"""What staff read at a glance, through SQLAlchemy Core on a synchronous connection.

A one-shot command such as `machikoe wave list` runs one query: the ORM's mapper setup, the
asyncio extension and the repositories would cost it several times the query itself. The tables
here name only the columns these reads use; tests/storage/test_overview.py holds them to the
models' schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, column, func, select, table

from storage.connect import create_sync_engine
from storage.migrate import SCHEMA_HEAD, revision_of
from storage.types import UTCDateTime
from surveys.status import ResponseStatus

WAVES = table(
    "waves",
    column("id", Integer),
    column("name", String),
    column("survey_id", String),
    column("status", String),
    column("opens_at", UTCDateTime()),
    column("closes_at", UTCDateTime()),
)
RESPONSES = table("responses", column("wave_id", Integer), column("status", String))
INVITATIONS = table(
    "invitations", column("wave_id", Integer), column("kind", String), column("state", String)
)


@dataclass(frozen=True, slots=True)
class WaveLine:
    """One wave as `wave list` shows it: its plan and live counts."""

    id: int
    name: str
    survey_id: str
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    invited: int
    """Invitations sent."""
    started: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        """Completed of started, or None when nobody started."""
        return self.completed / self.started if self.started else None


def _count(source: Any, *conditions: Any) -> Any:
    """A correlated count of the wave's rows in a table."""
    return (
        select(func.count())
        .select_from(source)
        .where(source.c.wave_id == WAVES.c.id, *conditions)
        .scalar_subquery()
    )


def wave_lines_statement() -> Select[Any]:
    """Every wave, newest first, with invited, started and completed counts."""
    return select(
        WAVES.c.id,
        WAVES.c.name,
        WAVES.c.survey_id,
        WAVES.c.status,
        WAVES.c.opens_at,
        WAVES.c.closes_at,
        _count(INVITATIONS, INVITATIONS.c.kind == "invite", INVITATIONS.c.state == "sent"),
        _count(RESPONSES),
        _count(RESPONSES, RESPONSES.c.status == ResponseStatus.COMPLETE),
    ).order_by(WAVES.c.id.desc())


def wave_lines(url: str) -> list[WaveLine]:
    """The waves of the database at this URL (brought to the latest schema first if behind)."""
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            if revision_of(connection) == SCHEMA_HEAD:
                return [WaveLine(*row) for row in connection.execute(wave_lines_statement())]
        _upgrade(url)
        with engine.connect() as connection:
            return [WaveLine(*row) for row in connection.execute(wave_lines_statement())]
    finally:
        engine.dispose()


def _upgrade(url: str) -> None:
    """Migrate the database the way every other command does (rare: a new or older database)."""
    import asyncio

    from storage.db import upgrade_database

    asyncio.run(upgrade_database(url))
