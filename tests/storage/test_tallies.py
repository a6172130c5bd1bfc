"""Tallies stay equal to a recount from responses and answers through every kind of write."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from alembic import command
from sqlalchemy import Connection, delete, func, select, update

from storage.db import UnitOfWork, create_engine, session_factory
from storage.migrate import alembic_config
from storage.models import TALLY_CODE_PATTERN, Answer, AnswerTally, Response
from storage.repositories.aggregates import DIMENSIONS
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]
QUESTIONS = ["livability", "residency_intent", "stay_reasons", "comment"]


def _tallied(value: str | None) -> bool:
    """Whether the tallies count an answer value: skipped, or choice codes (never free text)."""
    return value is None or re.fullmatch(TALLY_CODE_PATTERN, value) is not None


async def _recount(uow: UnitOfWork, wave_id: int) -> tuple[list[Any], list[Any]]:
    """Answer and response counts joined the slow way, straight from the base tables."""
    dims = [getattr(Response, name) for name in DIMENSIONS]
    keys = [*dims, Answer.question_id, Answer.value]
    answers = await uow.session.execute(
        select(*keys, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave_id, Response.status == "complete")
        .group_by(*keys)
    )
    responses = await uow.session.execute(
        select(*dims, func.count())
        .where(Response.wave_id == wave_id, Response.status == "complete")
        .group_by(*dims)
    )
    counted = [tuple(row) for row in answers if _tallied(row[-2])]
    return sorted(counted, key=repr), sorted(map(tuple, responses), key=repr)


async def _assert_tallies_match(uow_factory: Uow, *wave_ids: int) -> None:
    """The repository's counts equal the recount for every wave given."""
    async with uow_factory() as uow:
        for wave_id in wave_ids:
            counts = await uow.aggregates.answer_counts(wave_id, QUESTIONS, DIMENSIONS)
            completed = await uow.aggregates.completed_by(wave_id, DIMENSIONS)
            found = (sorted(counts, key=repr), sorted(completed, key=repr))
            assert found == await _recount(uow, wave_id)


async def test_counts_follow_submission_import_edits_erasure_and_cascades(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    other = await make_wave(uow_factory, name="other")
    answers = {"livability": "livable", "residency_intent": "always", "comment": "駅が遠い"}
    first = await make_response(uow_factory, wave.id, answers=answers)
    await make_response(uow_factory, wave.id, answers={"livability": "unlivable"}, submit=False)
    await make_response(uow_factory, other.id, answers={"livability": "livable"})
    sparse = {"age_band": "20s", "sex": None, "district": None, "years_lived": None}
    await make_response(uow_factory, wave.id, answers={"residency_intent": None}, profile=sparse)
    await make_response(uow_factory, wave.id, answers={})
    async with uow_factory() as uow:
        imported = await uow.imports.add(
            wave.id,
            "M-1",
            "mail",
            PROFILE,
            {"residency_intent": None, "livability": "livable"},
            NOW,
        )
        await uow.commit()
    await _assert_tallies_match(uow_factory, wave.id, other.id)
    async with uow_factory() as uow:
        counts = await uow.aggregates.answer_counts(wave.id, ["livability"], ["mode"])
        assert sorted(counts) == [
            ("chat", "livability", "livable", 1),
            ("mail", "livability", "livable", 1),
        ]
        by_sex = await uow.aggregates.completed_by(wave.id, ["sex"])
        assert sorted(by_sex, key=repr) == [("female", 3), (None, 1)]

    async with uow_factory() as uow:  # a submitted answer rewritten (as retention masking does)
        await uow.session.execute(
            update(Answer)
            .where(Answer.response_id == first.id, Answer.question_id == "livability")
            .values(value="somewhat_livable")
        )
        await uow.commit()
    await _assert_tallies_match(uow_factory, wave.id)

    async with uow_factory() as uow:
        assert first.respondent_id is not None
        assert await uow.respondents.delete_everything(first.respondent_id)
        await uow.session.execute(delete(Response).where(Response.id == imported.id))
        await uow.commit()
    await _assert_tallies_match(uow_factory, wave.id, other.id)
    async with uow_factory() as uow:
        left = await uow.session.scalars(select(AnswerTally.value))
        assert "駅が遠い" not in set(left), "an erased comment must not linger in the tallies"
        assert await uow.aggregates.answer_counts(wave.id, ["livability"]) == []


async def test_a_response_is_counted_once_however_often_it_is_submitted(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    response = await make_response(
        uow_factory, wave.id, answers={"residency_intent": "for_now"}, submit=False
    )
    for _ in range(3):
        async with uow_factory() as uow:
            await uow.responses.submit(response.id, PROFILE, NOW)
            await uow.commit()
    async with uow_factory() as uow:
        assert await uow.aggregates.completed_by(wave.id, []) == [(1,)]
        assert await uow.aggregates.answer_counts(wave.id, ["residency_intent"]) == [
            ("residency_intent", "for_now", 1)
        ]


async def test_comments_are_not_copied_into_the_tallies_but_choices_are(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    comments = ["駅が遠い", "bus stop too far", "Parking", "a" * 201, "ok\n", "長" * 1024]
    for comment in comments:
        choices = {"livability": "livable", "stay_reasons": "nature;commute_ok"}
        await make_response(uow_factory, wave.id, answers={**choices, "comment": comment})
    await make_response(uow_factory, wave.id, answers={"comment": None, "livability": "livable"})
    async with uow_factory() as uow:
        values = set(await uow.session.scalars(select(AnswerTally.value)))
        assert values.isdisjoint(comments), "a resident's comment was copied into the tallies"
        assert await uow.aggregates.answer_counts(wave.id, QUESTIONS) == [
            ("comment", None, 1),
            ("livability", "livable", 7),
            ("stay_reasons", "nature;commute_ok", 6),
        ]
        assert await uow.aggregates.completed_by(wave.id, []) == [(7,)]
    await _assert_tallies_match(uow_factory, wave.id)


async def test_upgrading_deletes_comments_tallied_by_the_older_revision(
    uow_factory: Uow, migrated_database_url: str
) -> None:
    wave = await make_wave(uow_factory)
    engine = create_engine(migrated_database_url)

    def migrate(connection: Connection, revision: str) -> None:
        config = alembic_config(connection)
        if revision == "0003":
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)

    async def tallied_values() -> set[str]:
        async with UnitOfWork(session_factory(engine)) as uow:
            return set(await uow.session.scalars(select(AnswerTally.value)))

    try:
        async with engine.begin() as connection:
            await connection.run_sync(migrate, "0003")
        answers = {"comment": "駅が遠い", "livability": "livable"}
        await make_response(uow_factory, wave.id, answers=answers)
        assert "駅が遠い" in await tallied_values(), "the older revision tallied comments"
        async with engine.begin() as connection:
            await connection.run_sync(migrate, "head")
        assert await tallied_values() == {"livable"}
        await make_response(uow_factory, wave.id, answers=answers)
        assert await tallied_values() == {"livable"}
        await _assert_tallies_match(lambda: UnitOfWork(session_factory(engine)), wave.id)
    finally:
        await engine.dispose()


async def test_upgrading_an_existing_database_tallies_what_is_stored(
    uow_factory: Uow, migrated_database_url: str
) -> None:
    wave = await make_wave(uow_factory)
    respondent = await make_respondent(uow_factory, profile=PROFILE)
    await make_response(uow_factory, wave.id, respondent, answers={"livability": "livable"})
    await make_response(uow_factory, wave.id, answers={"livability": None}, submit=False)
    engine = create_engine(migrated_database_url)

    def migrate(connection: Connection, revision: str) -> None:
        config = alembic_config(connection)
        if revision == "0001":
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(migrate, "0001")
        async with engine.begin() as connection:
            await connection.run_sync(migrate, "head")
        await _assert_tallies_match(lambda: UnitOfWork(session_factory(engine)), wave.id)
        async with UnitOfWork(session_factory(engine)) as uow:
            assert await uow.aggregates.completed_by(wave.id, ["age_band"]) == [("30s", 1)]
    finally:
        await engine.dispose()
