"""The survey step's read in one statement: the wave, and the resident in it."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, literal, select, true

from storage.models import Wave
from storage.records import WaveRecord
from storage.repositories._base import Query
from storage.repositories.respondents import RespondentInWave, in_wave_query, respondent_in_wave
from storage.repositories.waves import wave_record

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
