"""The survey step's lane: the step's operations (storage/repositories/steps.py, each written
once) run on SQLite's or PostgreSQL's fast connection, or on a unit of work's session."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import UnitOfWork
from storage.pglane import PostgresStepLane
from storage.records import RespondentRecord, ResponseRecord, WaveRecord
from storage.repositories._base import run_async
from storage.repositories.respondents import RespondentInWave
from storage.repositories.steps import AnswerToStore, ProgramOf, StepOperations
from storage.steplane import StepLane
from surveys.modes import ResponseMode

T = TypeVar("T")


class Lane(Protocol):
    """A resident's place in a wave read, and one answer stored, each in as few trips as the
    database allows."""

    async def read(
        self, key: str, wave_id: int | None
    ) -> tuple[WaveRecord | None, RespondentInWave | None]:
        """The wave (if it exists), and the resident with their profile, response and answers."""
        ...

    async def read_open(self, key: str) -> tuple[list[WaveRecord], RespondentInWave | None]:
        """The open waves, and the resident in the only one (None unless exactly one is open)."""
        ...

    async def start(
        self,
        wave_id: int,
        respondent: RespondentRecord,
        at: datetime,
        mode: ResponseMode = ResponseMode.CHAT,
    ) -> ResponseRecord:
        """The resident's response to the wave, started now (in this mode) if there is none."""
        ...

    async def store(self, answer: AnswerToStore, at: datetime) -> tuple[ResponseRecord, int]:
        """Store one answer and drop unreachable ones; the response and the answer's id."""
        ...

    async def drop(self, response_id: int, question_ids: Iterable[str], at: datetime) -> int:
        """Remove these answers from the open response; how many went."""
        ...

    async def submit(
        self, response_id: int, profile: Mapping[str, str | None], at: datetime
    ) -> bool:
        """Mark the response complete with a profile snapshot; False if it already was."""
        ...

    async def close(self) -> None:
        """Release the lane's connections."""
        ...


class SessionLane(StepOperations):
    """The step's operations on a unit of work's session: its writes join the unit of work's
    transaction (taking the writers' turn first) and are committed with it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        bind = uow.session.bind
        if bind is None:
            raise RuntimeError("session is not bound to an engine")
        self.dialect = bind.dialect.name

    async def _run_read(self, program: ProgramOf[T]) -> T:
        return await run_async(program(), self._uow.session.execute)

    async def _run_write(self, program: ProgramOf[T]) -> T:
        await self._uow.begin_write()
        return await run_async(program(), self._uow.session.execute)


def step_lane_for(engine: AsyncEngine) -> Lane | None:
    """The fast lane for this database (None for an in-memory SQLite database)."""
    return StepLane.for_engine(engine) or PostgresStepLane.for_engine(engine)


def lane_in(uow: UnitOfWork, fast: Lane | None) -> Lane:
    """Where a step in this unit of work runs: on the fast lane (its writes commit at once)
    while the unit of work has not touched the database; else on its session, so that the step
    sees what the unit of work did and joins its transaction (which may hold SQLite's writers'
    turn) — and on the session too when there is no fast lane (in-memory SQLite)."""
    if fast is None or uow.writing or uow.session.in_transaction():
        return SessionLane(uow)
    return fast
