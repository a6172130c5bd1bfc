"""The survey step's operations, each written once as a program of Core statements: its read
(the wave and the resident in it, in one statement), the open wave's read, and storing one
answer. A step lane (storage/lanes.py) runs them on its connection."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, literal, select, true

from storage.models import Wave
from storage.records import RespondentRecord, ResponseRecord, WaveRecord
from storage.repositories._base import Program, Query
from storage.repositories.answering import (
    drop_answers_program,
    save_answer_program,
    start_program,
    submit_program,
)
from storage.repositories.respondents import (
    RespondentInWave,
    in_wave_query,
    in_wave_statement,
    respondent_in_wave,
)
from storage.repositories.waves import open_waves_statement, wave_record
from surveys.modes import ResponseMode

T = TypeVar("T")
ProgramOf = Callable[[], Program[T]]
"""A program to run, made afresh for each run (a lane may run an operation again)."""
NO_WAVE = -1
"""A wave id no wave has: the resident is read without a response."""
_WAVE_COLUMNS = len(Wave.__table__.c)
_WaveRow = namedtuple("_WaveRow", [column.name for column in Wave.__table__.c])  # type: ignore[misc]


@cache
def _step_read_query() -> Select[Any]:
    resident = in_wave_query().subquery("resident")
    columns = list(resident.c)
    one = select(literal(1).label("one")).subquery("one")
    # one row at least, whether or not the wave and the resident exist
    joined = one.outerjoin(Wave, Wave.id == bindparam("p_wave")).outerjoin(resident, true())
    return (
        select(Wave.__table__, resident)
        .select_from(joined)
        .order_by(columns[-1], columns[-5])  # the answers as given: answered_at, then id
    )


def step_read_statement(key: str, wave_id: int | None) -> Query:
    """The wave (when `wave_id` names one) and the resident with their profile, response to
    it and answers, in one statement."""
    return _step_read_query(), {"p_key": key, "p_wave": NO_WAVE if wave_id is None else wave_id}


def step_read(
    key: str, rows: Sequence[Sequence[Any]]
) -> tuple[WaveRecord | None, RespondentInWave | None]:
    """The rows of `step_read_statement` as the wave and the resident in it."""
    first = rows[0]
    wave = wave_record(_WaveRow(*first[:_WAVE_COLUMNS])) if first[0] is not None else None
    resident = [row[_WAVE_COLUMNS:] for row in rows if row[_WAVE_COLUMNS] is not None]
    return wave, respondent_in_wave(key, wave.id if wave is not None else NO_WAVE, resident)


def read_program(
    key: str, wave_id: int | None
) -> Program[tuple[WaveRecord | None, RespondentInWave | None]]:
    """The wave (if it exists), and the resident with their profile, response and answers."""
    return step_read(key, (yield step_read_statement(key, wave_id)).all())


def read_open_program(key: str) -> Program[tuple[list[WaveRecord], RespondentInWave | None]]:
    """The open waves, and the resident in the only one (None unless exactly one is open)."""
    waves = [wave_record(row) for row in (yield open_waves_statement())]
    rows: Sequence[Any] = ()
    if len(waves) == 1:
        rows = (yield in_wave_statement(key, waves[0].id)).all()
    only = waves[0].id if len(waves) == 1 else NO_WAVE
    return waves, respondent_in_wave(key, only, rows)


@dataclass(frozen=True)
class AnswerToStore:
    """One answer of a resident to a wave, and the answers skip logic no longer reaches."""

    wave_id: int
    respondent: RespondentRecord
    response: ResponseRecord | None
    question_id: str
    value: str | None
    other_text: str | None
    drop: tuple[str, ...] = ()
    mode: ResponseMode = ResponseMode.CHAT


def store_program(
    dialect: str, answer: AnswerToStore, at: datetime
) -> Program[tuple[ResponseRecord, int]]:
    """Store one answer (starting the response if needed) and drop unreachable answers; the
    response and the answer's id. Raises ResponseClosedError once the response is submitted."""
    response, respondent = answer.response, answer.respondent
    if response is None:
        response = yield from start_program(
            dialect, answer.wave_id, respondent.id, respondent.key, at, answer.mode
        )
    answer_id = yield from save_answer_program(
        dialect, response.id, answer.question_id, answer.value, answer.other_text, at, answer.drop
    )
    return response, answer_id


class StepOperations(ABC):
    """The survey step's operations, each one program above; a lane says where programs run
    (`_run_read`, `_run_write`) and when their writes are committed."""

    dialect: str

    @abstractmethod
    async def _run_read(self, program: ProgramOf[T]) -> T:
        """Run a reading program on this lane's connection."""

    @abstractmethod
    async def _run_write(self, program: ProgramOf[T]) -> T:
        """Run a writing program (committed as this lane commits)."""

    async def read(
        self, key: str, wave_id: int | None
    ) -> tuple[WaveRecord | None, RespondentInWave | None]:
        """The wave (if it exists), and the resident with their profile, response and answers."""
        return await self._run_read(partial(read_program, key, wave_id))

    async def read_open(self, key: str) -> tuple[list[WaveRecord], RespondentInWave | None]:
        """The open waves, and the resident in the only one (None unless exactly one is open)."""
        return await self._run_read(partial(read_open_program, key))

    async def start(
        self,
        wave_id: int,
        respondent: RespondentRecord,
        at: datetime,
        mode: ResponseMode = ResponseMode.CHAT,
    ) -> ResponseRecord:
        """The resident's response to the wave, started now (in this mode) if there is none."""
        program = partial(
            start_program, self.dialect, wave_id, respondent.id, respondent.key, at, mode
        )
        return await self._run_write(program)

    async def store(self, answer: AnswerToStore, at: datetime) -> tuple[ResponseRecord, int]:
        """Store one answer (starting the response if needed) and drop unreachable answers;
        the response and the answer's id. Raises ResponseClosedError when the response was
        submitted meanwhile."""
        return await self._run_write(partial(store_program, self.dialect, answer, at))

    async def drop(self, response_id: int, question_ids: Iterable[str], at: datetime) -> int:
        """Remove these answers from the open response (back / change); how many went."""
        return await self._run_write(
            partial(drop_answers_program, self.dialect, response_id, tuple(question_ids), at)
        )

    async def submit(
        self, response_id: int, profile: Mapping[str, str | None], at: datetime
    ) -> bool:
        """Mark the response complete with a profile snapshot; False if it already was."""
        return await self._run_write(partial(submit_program, response_id, profile, at))

    @abstractmethod
    async def close(self) -> None:
        """Release the lane's connections."""
