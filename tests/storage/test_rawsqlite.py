"""Core statements on a plain sqlite3 connection: the same values as through an engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.compiled import CompiledStatements
from storage.db import UnitOfWork, sqlite_pragmas
from storage.rawsqlite import RawConnection
from storage.repositories.answering import (
    delete_answers_statement,
    save_answer_statement,
    status_statement,
)
from storage.repositories.waves import wave_record, wave_statement
from tests.builders import NOW, make_response, make_wave

Uow = Callable[[], UnitOfWork]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def raw(engine: AsyncEngine) -> Iterator[RawConnection]:
    """A raw connection to the test database."""
    pragmas = partial(sqlite_pragmas, _record=None)
    connection = RawConnection(
        str(engine.url.database), pragmas, CompiledStatements(engine.dialect)
    )
    try:
        yield connection
    finally:
        connection.close()


async def test_dates_and_json_come_back_as_through_the_engine(
    uow_factory: Uow, engine: AsyncEngine, raw: RawConnection
) -> None:
    wave = await make_wave(uow_factory, closes_at=NOW + timedelta(days=3))
    mine = wave_record(raw.execute(*wave_statement(wave.id)).first())
    sync = create_sync_engine(engine.url.set(drivername="sqlite+pysqlite"))
    try:
        with sync.connect() as connection:
            theirs = wave_record(connection.execute(*wave_statement(wave.id)).first())
    finally:
        sync.dispose()
    assert mine == theirs == wave
    assert mine.closes_at == NOW + timedelta(days=3) and mine.closes_at.tzinfo is not None
    assert raw.execute(*wave_statement(wave.id + 99)).first() is None


async def test_lists_are_spelled_out_and_an_upsert_returns_its_row(
    uow_factory: Uow, raw: RawConnection
) -> None:
    wave = await make_wave(uow_factory)
    answers = {"q1": "a", "q2": "b", "q3": "c"}
    response = await make_response(uow_factory, wave.id, answers=answers, submit=False)
    statement = save_answer_statement("sqlite", response.id, "q1", "z", None, NOW)
    first = raw.execute(*statement).scalar_one()
    assert raw.execute(*statement).scalar_one() == first  # the same row, replaced
    dropped = raw.execute(*delete_answers_statement("sqlite", response.id, ["q2", "q3"]))
    assert dropped.rowcount == 2
    async with uow_factory() as uow:
        stored = await uow.responses.answers(response.id)
    assert {q: a.value for q, a in stored.items()} == {"q1": "z"}
    with pytest.raises(ValueError, match="empty"):
        raw.execute(*delete_answers_statement("sqlite", response.id, []))
    assert raw.execute(*status_statement(response.id)).scalar() == "partial"
    with pytest.raises(NoResultFound):
        raw.execute(*status_statement(response.id + 99)).scalar_one()
