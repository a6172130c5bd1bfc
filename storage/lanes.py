"""The survey step's lane for the database in use: SQLite's or PostgreSQL's, same operations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.pglane import PostgresStepLane
from storage.records import ResponseRecord, WaveRecord
from storage.repositories.respondents import RespondentInWave
from storage.steplane import AnswerToStore, StepLane


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

    async def store(self, answer: AnswerToStore, at: datetime) -> tuple[ResponseRecord, int]:
        """Store one answer and drop unreachable ones; the response and the answer's id."""
        ...

    async def submit(
        self, response_id: int, profile: Mapping[str, str | None], at: datetime
    ) -> bool:
        """Mark the response complete with a profile snapshot; False if it already was."""
        ...

    async def close(self) -> None:
        """Release the lane's connections."""
        ...


def step_lane_for(engine: AsyncEngine) -> Lane | None:
    """The lane for this database (None for an in-memory SQLite database)."""
    return StepLane.for_engine(engine) or PostgresStepLane.for_engine(engine)
