"""The step lanes (SQLite's and PostgreSQL's): the same reads and writes as the repositories,
in fewer trips."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import UnitOfWork, create_engine, session_factory
from storage.errors import ResponseClosedError
from storage.lanes import Lane, SessionLane, lane_in, step_lane_for
from storage.pglane import PostgresStepLane
from storage.records import RespondentRecord, ResponseRecord, WaveRecord
from storage.repositories.steps import AnswerToStore
from storage.steplane import StepLane
from surveys.modes import ResponseMode
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
async def lane(engine: AsyncEngine) -> AsyncIterator[Lane]:
    """The lane of the test database (SQLite's or PostgreSQL's)."""
    made = step_lane_for(engine)
    assert made is not None
    try:
        yield made
    finally:
        await made.close()


def answer(
    wave_id: int,
    resident: RespondentRecord,
    question_id: str,
    value: str | None,
    *,
    response: ResponseRecord | None = None,
    other_text: str | None = None,
    drop: tuple[str, ...] = (),
) -> AnswerToStore:
    """An answer to store through the lane."""
    return AnswerToStore(wave_id, resident, response, question_id, value, other_text, drop)


async def answering(
    uow_factory: Uow, answers: dict[str, str | None]
) -> tuple[WaveRecord, RespondentRecord, ResponseRecord]:
    """An open wave and a resident part-way through it with these answers."""
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    response = await make_response(uow_factory, wave.id, resident, answers=answers, submit=False)
    return wave, resident, response


async def test_reads_what_the_unit_of_work_reads(uow_factory: Uow, lane: Lane) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    await make_response(
        uow_factory, wave.id, resident, answers={"q1": "a", "q3": "b;c"}, submit=False
    )
    async with uow_factory() as uow:
        expected_wave = await uow.waves.get(wave.id)
        expected = await uow.respondents.in_wave(resident.key, wave.id)
    assert await lane.read(resident.key, wave.id) == (expected_wave, expected)
    assert await lane.read("nobody", wave.id) == (expected_wave, None)
    missing_wave, found = await lane.read(resident.key, 999_999)
    assert missing_wave is None and found is not None and found.response is None
    assert found.respondent == expected.respondent and found.answers == {}
    no_wave, found = await lane.read(resident.key, None)
    assert no_wave is None and found is not None and found.profile == expected.profile
    assert await lane.read("nobody", None) == (None, None)


async def test_first_answer_starts_the_response_and_an_edit_replaces_it(
    uow_factory: Uow, lane: Lane
) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    response, first_id = await lane.store(answer(wave.id, resident, "q1", "a"), NOW)
    assert (response.status, response.respondent_ref) == ("partial", resident.key)
    again, second_id = await lane.store(
        answer(wave.id, resident, "q1", "b", response=response, other_text="<花> & 🌸"),
        NOW + timedelta(minutes=1),
    )
    assert again == response and second_id == first_id
    async with uow_factory() as uow:
        stored = await uow.responses.answers(response.id)
        touched = await uow.responses.get(response.id)
    assert [(a.question_id, a.value, a.other_text) for a in stored.values()] == [
        ("q1", "b", "<花> & 🌸")
    ]
    assert touched is not None and touched.updated_at == NOW + timedelta(minutes=1)


async def test_answers_skip_logic_no_longer_reaches_are_dropped_with_the_new_one(
    uow_factory: Uow, lane: Lane
) -> None:
    wave, resident, response = await answering(uow_factory, {"q1": "a", "q2": "x", "q3": "y"})
    await lane.store(answer(wave.id, resident, "q1", "b", response=response, drop=("q2",)), NOW)
    async with uow_factory() as uow:
        stored = await uow.responses.answers(response.id)
    assert {key: value.value for key, value in stored.items()} == {"q1": "b", "q3": "y"}


async def test_a_submitted_response_refuses_the_answer_and_keeps_what_it_had(
    uow_factory: Uow, lane: Lane
) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    response = await make_response(uow_factory, wave.id, resident, answers={"q1": "a"})
    with pytest.raises(ResponseClosedError):
        await lane.store(answer(wave.id, resident, "q1", "b", response=response), NOW)
    async with uow_factory() as uow:
        stored = await uow.responses.answers(response.id)
    assert {key: value.value for key, value in stored.items()} == {"q1": "a"}


async def test_lane_and_unit_of_work_writers_interleave_without_losing_a_write(
    uow_factory: Uow, lane: Lane
) -> None:
    wave = await make_wave(uow_factory)
    residents = [await make_respondent(uow_factory, profile=PROFILE) for _ in range(12)]

    async def through_lane(resident: RespondentRecord) -> None:
        response, _ = await lane.store(answer(wave.id, resident, "q1", "a"), NOW)
        await lane.store(answer(wave.id, resident, "q2", "b", response=response), NOW)

    async def through_uow(resident: RespondentRecord) -> None:
        async with uow_factory() as uow:
            await uow.begin_write()
            await uow.respondents.set_language(resident.id, "en")
            await uow.commit()

    await asyncio.wait_for(
        asyncio.gather(*(through_lane(r) for r in residents), *(through_uow(r) for r in residents)),
        timeout=30,
    )
    async with uow_factory() as uow:
        for resident in residents:
            found = await uow.respondents.in_wave(resident.key, wave.id)
            assert found is not None and list(found.answers) == ["q1", "q2"]
            assert found.respondent.language == "en"


async def test_sqlite_files_and_postgresql_get_their_own_lane(
    engine: AsyncEngine, backend: str
) -> None:
    made = step_lane_for(engine)
    kind = StepLane if backend == "sqlite" else PostgresStepLane
    assert isinstance(made, kind)
    await made.close()
    memory = create_engine("sqlite+aiosqlite:///:memory:")
    assert step_lane_for(memory) is None
    await memory.dispose()


@sqlite_only
async def test_a_writer_never_waits_for_the_pool_while_holding_the_turn(
    migrated_database_url: str,
) -> None:
    # one pooled connection: a reader holding it must still get the turn, and a writer that
    # has no connection yet must wait for the pool without taking the turn first
    engine = create_engine(migrated_database_url, pool_size=1, max_overflow=0, pool_timeout=20)
    factory = session_factory(engine)
    reader_has_connection = asyncio.Event()

    async def reader_then_writer() -> None:
        async with UnitOfWork(factory) as uow:
            await uow.waves.list()
            reader_has_connection.set()
            await asyncio.sleep(0.05)
            await uow.begin_write()
            await uow.respondents.get_or_create("first", NOW)
            await uow.commit()

    async def writer() -> None:
        await reader_has_connection.wait()
        async with UnitOfWork(factory) as uow:
            await uow.begin_write()
            await uow.respondents.get_or_create("second", NOW)
            await uow.commit()

    try:
        await asyncio.wait_for(asyncio.gather(reader_then_writer(), writer()), timeout=15)
        async with UnitOfWork(factory) as uow:
            assert await uow.respondents.get_by_key("first") is not None
            assert await uow.respondents.get_by_key("second") is not None
    finally:
        await engine.dispose()


async def test_the_only_open_wave_is_read_with_the_resident_in_it(
    uow_factory: Uow, lane: Lane
) -> None:
    assert await lane.read_open("nobody") == ([], None)
    draft = await make_wave(uow_factory, status="draft", name="next")
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    await make_response(uow_factory, wave.id, resident, answers={"q1": "a"}, submit=False)
    waves, found = await lane.read_open(resident.key)
    async with uow_factory() as uow:
        expected = await uow.respondents.in_wave(resident.key, wave.id)
    assert [w.id for w in waves] == [wave.id] and draft.id not in [w.id for w in waves]
    assert found == expected
    second = await make_wave(uow_factory, name="2025 autumn")
    waves, found = await lane.read_open(resident.key)
    assert [w.id for w in waves] == [wave.id, second.id] and found is None


async def test_submission_happens_once_with_the_profile_snapshot(
    uow_factory: Uow, lane: Lane
) -> None:
    wave, resident, response = await answering(uow_factory, {"q1": "a"})
    assert await lane.submit(response.id, PROFILE, NOW) is True
    assert await lane.submit(response.id, PROFILE, NOW + timedelta(hours=1)) is False
    async with uow_factory() as uow:
        stored = await uow.responses.get(response.id)
    assert stored is not None
    assert (stored.status, stored.submitted_at, stored.profile) == ("complete", NOW, PROFILE)
    with pytest.raises(ResponseClosedError):
        await lane.store(answer(wave.id, resident, "q2", "b", response=stored), NOW)


async def test_back_drops_an_answer_once_and_never_from_a_submitted_response(
    uow_factory: Uow, lane: Lane
) -> None:
    wave, resident, response = await answering(uow_factory, {"q1": "a", "q2": "b"})
    assert await lane.drop(response.id, ["q2", "nope"], NOW) == 1
    assert await lane.drop(response.id, ["q2"], NOW) == 0
    _, found = await lane.read(resident.key, wave.id)
    assert found is not None and list(found.answers) == ["q1"]
    assert await lane.submit(response.id, PROFILE, NOW)
    with pytest.raises(ResponseClosedError):
        await lane.drop(response.id, ["q1"], NOW)


async def test_a_response_is_started_once_in_the_channels_mode(
    uow_factory: Uow, lane: Lane
) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    first = await lane.start(wave.id, resident, NOW, ResponseMode.LINE)
    again = await lane.start(wave.id, resident, NOW + timedelta(minutes=5))
    assert again == first and first.mode is ResponseMode.LINE
    assert (first.status, first.started_at) == ("partial", NOW)


async def test_a_unit_of_works_session_runs_the_same_step_and_commits_with_it(
    uow_factory: Uow, lane: Lane
) -> None:
    wave, resident, response = await answering(uow_factory, {"q1": "a", "q2": "x"})
    fast_read = await lane.read(resident.key, wave.id)
    async with uow_factory() as uow:
        assert lane_in(uow, lane) is lane  # nothing touched yet: the fast lane
        assert await SessionLane(uow).read(resident.key, wave.id) == fast_read
        assert await SessionLane(uow).read_open(resident.key) == await lane.read_open(resident.key)
        steps = lane_in(uow, lane)
        assert isinstance(steps, SessionLane)  # the unit of work has read: its session
        stored = answer(wave.id, resident, "q1", "b", response=response, drop=("q2",))
        assert (await steps.store(stored, NOW))[0] == response
        await uow.rollback()
    assert await lane.read(resident.key, wave.id) == fast_read  # rolled back: nothing changed
    async with uow_factory() as uow:
        steps = SessionLane(uow)
        await steps.store(answer(wave.id, resident, "q1", "b", response=response), NOW)
        assert await steps.submit(response.id, PROFILE, NOW)
        await uow.commit()
    _, found = await lane.read(resident.key, wave.id)
    assert found is not None and found.response is not None
    assert found.response.status == "complete" and found.answers["q1"].value == "b"


async def test_a_step_in_a_writing_unit_of_work_joins_its_transaction(
    uow_factory: Uow, lane: Lane
) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    async with uow_factory() as uow:
        await uow.begin_write()
        await uow.respondents.set_language(resident.id, "en")
        steps = lane_in(uow, lane)
        assert isinstance(steps, SessionLane)
        # on SQLite the fast lane would wait for the writers' turn this unit of work holds
        await asyncio.wait_for(steps.store(answer(wave.id, resident, "q1", "a"), NOW), 10)
        await uow.commit()
    _, found = await lane.read(resident.key, wave.id)
    assert found is not None and found.respondent.language == "en"
    assert list(found.answers) == ["q1"]


@sqlite_only
async def test_a_write_waits_for_another_process_while_reads_go_on(
    uow_factory: Uow, lane: Lane, migrated_database_url: str
) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    path = migrated_database_url.split("///", 1)[1]
    other = sqlite3.connect(path, isolation_level=None)  # e.g. `machikoe import` writing
    other.execute("BEGIN IMMEDIATE")
    try:
        writing = asyncio.ensure_future(lane.store(answer(wave.id, resident, "q1", "a"), NOW))
        await asyncio.sleep(0.3)
        assert not writing.done()
        _, found = await asyncio.wait_for(lane.read(resident.key, wave.id), timeout=2)
        assert found is not None and found.response is None
    finally:
        other.execute("COMMIT")
        other.close()
    response, _ = await asyncio.wait_for(writing, timeout=10)
    async with uow_factory() as uow:
        stored = await uow.responses.answers(response.id)
    assert [a.value for a in stored.values()] == ["a"]


@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_connection_the_server_dropped_is_replaced_without_a_failed_step(
    uow_factory: Uow, lane: Lane, engine: AsyncEngine
) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    await lane.read(resident.key, wave.id)  # the lane's connections are open now
    async with engine.connect() as connection:  # e.g. the server restarted
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    _, found = await lane.read(resident.key, wave.id)
    assert found is not None and found.respondent.id == resident.id
    response, _ = await lane.store(answer(wave.id, resident, "q1", "a"), NOW)
    async with uow_factory() as uow:
        stored = await uow.responses.answers(response.id)
    assert [a.value for a in stored.values()] == ["a"]
