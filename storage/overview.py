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

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    case,
    column,
    func,
    literal,
    select,
    table,
    union_all,
)

from storage.connect import create_sync_engine
from storage.migrate import SCHEMA_HEAD, revision_of
from storage.types import UTCDateTime
from surveys.modes import AudienceChannel, Channel, ResponseMode, audience_channel
from surveys.schedule import INVITATION, InvitationState
from surveys.status import ResponseStatus

WAVES = table(
    "waves",
    column("id", Integer),
    column("name", String),
    column("survey_id", String),
    column("status", String),
    column("opens_at", UTCDateTime()),
    column("closes_at", UTCDateTime()),
    column("audience", JSON),
)
RESPONSES = table(
    "responses", column("wave_id", Integer), column("status", String), column("mode", String)
)
INVITATIONS = table(
    "invitations",
    column("wave_id", Integer),
    column("respondent_id", Integer),
    column("kind", String),
    column("state", String),
)
CONTACTS = table("contacts", column("respondent_id", Integer), column("channel", String))


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
    audience: dict[str, list[str]] | None
    """Its audience's filters (the profile fields', the channels')."""

    @property
    def channel(self) -> AudienceChannel:
        """The channel its audience is reached through (or both)."""
        return audience_channel(self.audience or {})

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
    """Every wave, newest first, with invited, started and completed counts and its audience."""
    return select(
        WAVES.c.id,
        WAVES.c.name,
        WAVES.c.survey_id,
        WAVES.c.status,
        WAVES.c.opens_at,
        WAVES.c.closes_at,
        _count(
            INVITATIONS,
            INVITATIONS.c.kind == INVITATION,
            INVITATIONS.c.state == InvitationState.SENT,
        ),
        _count(RESPONSES),
        _count(RESPONSES, RESPONSES.c.status == ResponseStatus.COMPLETE),
        WAVES.c.audience,
    ).order_by(WAVES.c.id.desc())


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    """One mode's (channel's) counts of a wave: its residents are that channel's respondents."""

    mode: str
    """A ResponseMode: a Telegram contact's invitations count as chat, a LINE one's as line."""
    invited: int
    """Invitations made (every state)."""
    sent: int
    started: int
    completed: int


def _of(flag: Any) -> Any:
    """A sum of 1 where the condition holds."""
    return func.coalesce(func.sum(case((flag, 1), else_=0)), 0)


def channel_counts_statement(wave_id: int) -> Select[Any]:
    """A wave's invited, sent, started and completed counts by mode, in one query."""
    line, telegram = Channel.LINE, Channel.TELEGRAM
    invite_mode = case((CONTACTS.c.channel == line, line.mode), else_=telegram.mode)
    invites = (
        select(
            invite_mode.label("mode"),
            func.count().label("invited"),
            _of(INVITATIONS.c.state == InvitationState.SENT).label("sent"),
            literal(0).label("started"),
            literal(0).label("completed"),
        )
        .select_from(
            INVITATIONS.join(CONTACTS, CONTACTS.c.respondent_id == INVITATIONS.c.respondent_id)
        )
        .where(INVITATIONS.c.wave_id == wave_id, INVITATIONS.c.kind == INVITATION)
        .group_by(invite_mode)
    )
    responses = (
        select(
            RESPONSES.c.mode.label("mode"),
            literal(0).label("invited"),
            literal(0).label("sent"),
            func.count().label("started"),
            _of(RESPONSES.c.status == ResponseStatus.COMPLETE).label("completed"),
        )
        .where(RESPONSES.c.wave_id == wave_id)
        .group_by(RESPONSES.c.mode)
    )
    both = union_all(invites, responses).subquery()
    return (
        select(
            both.c.mode,
            func.sum(both.c.invited),
            func.sum(both.c.sent),
            func.sum(both.c.started),
            func.sum(both.c.completed),
        )
        .group_by(both.c.mode)
        .order_by(both.c.mode)
    )


def channel_counts(rows: Any) -> tuple[ChannelCounts, ...]:
    """The statement's rows as counts (Telegram's chat first, then LINE, then imported modes)."""
    order = list(ResponseMode)
    found = [ChannelCounts(str(row[0]), *(int(n or 0) for n in row[1:])) for row in rows]
    return tuple(sorted(found, key=lambda c: order.index(ResponseMode(c.mode))))


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
