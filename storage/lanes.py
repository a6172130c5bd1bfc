"""The survey step's lane: the step's operations (storage/repositories/steps.py, each written
once) run on SQLite's or PostgreSQL's fast connection, or on a unit of work's session."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import UnitOfWork
from storage.pglane import PostgresStepLane
from storage.repositories._base import run_async
from storage.repositories.steps import ProgramOf, StepOperations
from storage.steplane import StepLane

T = TypeVar("T")


Lane = StepOperations
"""Where a survey step runs: a resident's place in a wave read and one answer stored, each in as
few trips as the database allows (SessionLane below, StepLane, PostgresStepLane)."""


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

    async def close(self) -> None:
        """Nothing to release: the unit of work owns its session."""

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
