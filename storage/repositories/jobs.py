"""Scheduled jobs: stored so restarts lose nothing, claimed atomically so each fires once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from storage.errors import StorageError
from storage.models import ScheduledJob
from storage.records import JobRecord
from storage.repositories._base import Repository, rowcount
from surveys.schedule import JobKind, JobState

_KINDS = frozenset(JobKind)


def _record(row: ScheduledJob) -> JobRecord:
    """ORM row to record."""
    return JobRecord(
        id=row.id,
        kind=JobKind(row.kind),
        wave_id=row.wave_id,
        run_at=row.run_at,
        state=JobState(row.state),
        fired_at=row.fired_at,
        detail=row.detail,
    )


class JobRepository(Repository):
    """Wave jobs: open, close, reminder, summary."""

    async def add(
        self, kind: JobKind, wave_id: int, run_at: datetime, detail: dict[str, Any] | None = None
    ) -> JobRecord:
        """Schedule a job (adding the same kind, wave and time again is a no-op)."""
        if kind not in _KINDS:
            raise StorageError(f"unknown job kind {kind!r}; use {', '.join(JobKind)}")
        stmt = (
            self.insert_on_conflict(ScheduledJob)
            .values(
                kind=kind, wave_id=wave_id, run_at=run_at, state=JobState.PENDING, detail=detail
            )
            .on_conflict_do_nothing(index_elements=["kind", "wave_id", "run_at"])
        )
        await self.session.execute(stmt)
        row = await self.session.scalar(
            select(ScheduledJob)
            .where(
                ScheduledJob.kind == kind,
                ScheduledJob.wave_id == wave_id,
                ScheduledJob.run_at == run_at,
            )
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return _record(row)

    async def get(self, job_id: int) -> JobRecord | None:
        """One job by id."""
        row = await self.session.get(ScheduledJob, job_id, populate_existing=True)
        return _record(row) if row else None

    async def pending(self, wave_id: int | None = None) -> list[JobRecord]:
        """Jobs not fired yet, soonest first (to register at start-up)."""
        stmt = select(ScheduledJob).where(ScheduledJob.state == JobState.PENDING)
        if wave_id is not None:
            stmt = stmt.where(ScheduledJob.wave_id == wave_id)
        stmt = stmt.order_by(ScheduledJob.run_at, ScheduledJob.id)
        return [_record(row) for row in await self.session.scalars(stmt)]

    async def for_wave(self, wave_id: int) -> list[JobRecord]:
        """Every job of a wave in time order, whatever its state."""
        rows = await self.session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.wave_id == wave_id)
            .order_by(ScheduledJob.run_at, ScheduledJob.id)
        )
        return [_record(row) for row in rows]

    async def due(self, now: datetime) -> list[JobRecord]:
        """Pending jobs whose time has come (including ones missed while down)."""
        rows = await self.session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.state == JobState.PENDING, ScheduledJob.run_at <= now)
            .order_by(ScheduledJob.run_at, ScheduledJob.id)
        )
        return [_record(row) for row in rows]

    async def mark_fired(self, job_id: int, at: datetime) -> bool:
        """Claim a pending job to run it; only one caller ever gets True."""
        result = await self.session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.id == job_id, ScheduledJob.state == JobState.PENDING)
            .values(state=JobState.RUNNING, fired_at=at)
        )
        return bool(rowcount(result))

    async def mark_done(self, job_id: int) -> None:
        """The claimed job finished."""
        await self.session.execute(
            update(ScheduledJob).where(ScheduledJob.id == job_id).values(state=JobState.DONE)
        )

    async def cancel(self, wave_id: int, kind: JobKind | None = None) -> int:
        """Drop a wave's jobs not fired yet (of one kind if given); returns how many."""
        stmt = delete(ScheduledJob).where(
            ScheduledJob.wave_id == wave_id, ScheduledJob.state == JobState.PENDING
        )
        if kind is not None:
            stmt = stmt.where(ScheduledJob.kind == kind)
        result = await self.session.execute(stmt)
        return rowcount(result)

    async def release(self, job_id: int) -> None:
        """Put a claimed job back to pending (it could not finish and must run again)."""
        await self.session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.id == job_id, ScheduledJob.state == JobState.RUNNING)
            .values(state=JobState.PENDING, fired_at=None)
        )

    async def stale(self, started_before: datetime) -> list[JobRecord]:
        """Jobs still running that were claimed before this time (their process died)."""
        rows = await self.session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.state == JobState.RUNNING, ScheduledJob.fired_at < started_before)
            .order_by(ScheduledJob.fired_at, ScheduledJob.id)
        )
        return [_record(row) for row in rows]

    async def retry(self, job: JobRecord, detail: dict[str, Any] | None) -> bool:
        """Put a stale running job back to pending; only one caller (replica) ever gets True."""
        return await self._settle_stale(job, state=JobState.PENDING, fired_at=None, detail=detail)

    async def give_up(self, job: JobRecord) -> bool:
        """Mark a stale running job done without running it again; True for one caller."""
        return await self._settle_stale(job, state=JobState.DONE)

    async def _settle_stale(self, job: JobRecord, **values: Any) -> bool:
        """Update a stale job only if it is still the same run; True for one caller."""
        result = await self.session.execute(
            update(ScheduledJob)
            .where(
                ScheduledJob.id == job.id,
                ScheduledJob.state == JobState.RUNNING,
                ScheduledJob.fired_at == job.fired_at,
            )
            .values(**values)
        )
        return bool(rowcount(result))
