"""Waves: plan, open and close survey waves, and count their progress."""

from __future__ import annotations

import builtins
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, update

from storage.errors import StorageError
from storage.models import Invitation, Response, Wave
from storage.records import UNKNOWN, WaveCounts, WaveRecord
from storage.repositories._base import Query, Repository, rowcount
from surveys.schedule import INVITATION, InvitationState
from surveys.status import ResponseStatus
from surveys.waves import WaveStatus

EDITABLE = (
    "name",
    "opens_at",
    "closes_at",
    "audience",
    "reminders",
    "summary_schedule",
    "contact_rules",
)


def wave_statement(wave_id: int) -> Query:
    """The wave with this id (the waves table's columns)."""
    return _wave_query(), {"p_wave": wave_id}


@cache
def _open_waves_query() -> Select[Any]:
    """Waves now open, oldest first (the waves table's columns)."""
    return select(Wave.__table__).where(Wave.status == WaveStatus.OPEN).order_by(Wave.id)


def open_waves_statement() -> Query:
    """Waves now open, oldest first."""
    return _open_waves_query(), {}


@cache
def _wave_query() -> Select[Any]:
    return select(Wave.__table__).where(Wave.id == bindparam("p_wave"))


def wave_record(row: Any) -> WaveRecord:
    """ORM row (or a Core row of the waves table) to record."""
    return WaveRecord(
        id=row.id,
        name=row.name,
        survey_id=row.survey_id,
        definition_id=row.definition_id,
        status=row.status,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        audience=dict(row.audience or {}),
        reminders=list(row.reminders or []),
        summary_schedule=row.summary_schedule,
        embargo_lifted=row.embargo_lifted,
        created_at=row.created_at,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        contact_rules=row.contact_rules,
        results_message=row.results_message,
        results_sent_at=row.results_sent_at,
    )


class WaveRepository(Repository):
    """Survey waves and their live counts."""

    async def create(
        self,
        *,
        name: str,
        survey_id: str,
        at: datetime,
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
        audience: dict[str, builtins.list[str]] | None = None,
        reminders: builtins.list[str] | None = None,
        summary_schedule: dict[str, Any] | None = None,
        status: str = WaveStatus.DRAFT,
        contact_rules: dict[str, Any] | None = None,
    ) -> WaveRecord:
        """Create a wave (draft unless told otherwise)."""
        self._check_status(status)
        row = Wave(
            name=name,
            survey_id=survey_id,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            audience=audience or {},
            reminders=list(reminders or []),
            summary_schedule=summary_schedule,
            contact_rules=contact_rules,
            embargo_lifted=False,
            created_at=at,
        )
        self.session.add(row)
        await self.session.flush()
        return wave_record(row)

    async def get(self, wave_id: int) -> WaveRecord | None:
        """The wave with this id, if any."""
        row = await self.session.get(Wave, wave_id, populate_existing=True)
        return wave_record(row) if row else None

    async def list(self, survey_id: str | None = None) -> builtins.list[WaveRecord]:
        """All waves (of one survey if given), newest first."""
        stmt = select(Wave).order_by(Wave.id.desc())
        if survey_id is not None:
            stmt = stmt.where(Wave.survey_id == survey_id)
        return [wave_record(row) for row in await self.session.scalars(stmt)]

    async def update(self, wave_id: int, **fields: Any) -> WaveRecord:
        """Change a wave's plan: name, times, audience, reminders, summary schedule."""
        unknown = sorted(set(fields) - set(EDITABLE))
        if unknown:
            raise StorageError(f"cannot change {unknown[0]!r} of a wave")
        if fields:
            await self.session.execute(update(Wave).where(Wave.id == wave_id).values(**fields))
        return await self._require(wave_id)

    async def delete(self, wave_id: int, status: str) -> None:
        """Remove a wave still in ``status``, with its schedules, invitations and other rows."""
        self._check_status(status)
        stmt = delete(Wave).where(Wave.id == wave_id, Wave.status == status)
        if not rowcount(await self.session.execute(stmt)):  # gone, or moved on meanwhile
            raise StorageError(f"wave {wave_id} does not exist as a {status} wave")

    async def update_status(
        self, wave_id: int, status: str, at: datetime, definition_id: int | None = None
    ) -> WaveRecord:
        """Move a wave to a status, stamping when it opened or closed and its definition."""
        self._check_status(status)
        values: dict[str, Any] = {"status": status}
        if status == WaveStatus.OPEN:
            values["opened_at"] = at
            values["closed_at"] = None
        elif status == WaveStatus.CLOSED:
            values["closed_at"] = at
        if definition_id is not None:
            values["definition_id"] = definition_id
        await self.session.execute(update(Wave).where(Wave.id == wave_id).values(**values))
        return await self._require(wave_id)

    async def open_waves(self, survey_id: str | None = None) -> builtins.list[WaveRecord]:
        """Waves now open, oldest first."""
        stmt = _open_waves_query()
        if survey_id is not None:
            stmt = stmt.where(Wave.survey_id == survey_id)
        return [wave_record(row) for row in await self.session.execute(stmt)]

    async def next_planned(self, survey_id: str | None = None) -> WaveRecord | None:
        """The draft or scheduled wave that opens soonest (with an opening time)."""
        stmt = (
            select(Wave)
            .where(
                Wave.status.in_((WaveStatus.DRAFT, WaveStatus.SCHEDULED)),
                Wave.opens_at.is_not(None),
            )
            .order_by(Wave.opens_at, Wave.id)
            .limit(1)
        )
        if survey_id is not None:
            stmt = stmt.where(Wave.survey_id == survey_id)
        row = await self.session.scalar(stmt)
        return wave_record(row) if row else None

    async def set_embargo_lifted(self, wave_id: int, lifted: bool = True) -> None:
        """Let analysts see results before closing (or put the embargo back)."""
        await self.session.execute(
            update(Wave).where(Wave.id == wave_id).values(embargo_lifted=lifted)
        )

    async def mark_results_sent(self, wave_id: int, message: str, at: datetime) -> bool:
        """Store the results message of a closed wave once; False when it was sent before."""
        result = await self.session.execute(
            update(Wave)
            .where(
                Wave.id == wave_id, Wave.status == WaveStatus.CLOSED, Wave.results_sent_at.is_(None)
            )
            .values(results_message=message, results_sent_at=at)
        )
        return bool(rowcount(result))

    async def counts(self, wave_id: int) -> WaveCounts:
        """Invited (sent invitations), started, completed, and completed by age band."""
        invited = await self.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(
                Invitation.wave_id == wave_id,
                Invitation.kind == INVITATION,
                Invitation.state == InvitationState.SENT,
            )
        )
        rows = await self.session.execute(
            select(Response.status, Response.age_band, func.count())
            .where(Response.wave_id == wave_id)
            .group_by(Response.status, Response.age_band)
        )
        started = completed = 0
        by_age_band: dict[str, int] = {}
        for status, age_band, count in rows:
            started += count
            if status == ResponseStatus.COMPLETE:
                completed += count
                band = age_band or UNKNOWN
                by_age_band[band] = by_age_band.get(band, 0) + count
        return WaveCounts(
            invited=int(invited or 0),
            started=started,
            completed=completed,
            by_age_band=by_age_band,
        )

    async def _require(self, wave_id: int) -> WaveRecord:
        """The wave, or a clear error if it does not exist."""
        wave = await self.get(wave_id)
        if wave is None:
            raise StorageError(f"wave {wave_id} does not exist")
        return wave

    @staticmethod
    def _check_status(status: str) -> None:
        """Refuse statuses the schema does not know."""
        if status not in set(WaveStatus):
            known = ", ".join(WaveStatus)
            raise StorageError(f"unknown wave status {status!r}; use {known}")
