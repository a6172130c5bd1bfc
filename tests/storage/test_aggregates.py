"""Indicator cells: one GROUP BY over complete responses, using the indexes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, text

from storage.db import UnitOfWork
from storage.errors import StorageError
from storage.records import IndicatorCell
from tests.builders import NOW, PROFILE, make_response, make_wave

Uow = Callable[[], UnitOfWork]
YES = ["always", "for_now"]


async def _answer(uow_factory: Uow, wave_id: int, intent: str | None, **profile: str) -> None:
    """One complete chat response with a residency intent and profile."""
    answers = {"residency_intent": intent} if intent != "missing" else {"livability": "livable"}
    await make_response(uow_factory, wave_id, answers=answers, profile={**PROFILE, **profile})


async def test_cells_count_yes_and_valid_answers_by_breakdown(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    other_wave = await make_wave(uow_factory)
    await _answer(uow_factory, wave.id, "always", age_band="20s")
    await _answer(uow_factory, wave.id, "leave", age_band="20s")
    await _answer(uow_factory, wave.id, "unsure", age_band="20s")  # valid, not yes
    await _answer(uow_factory, wave.id, None, age_band="20s")  # skipped: not valid
    await _answer(uow_factory, wave.id, "missing", age_band="20s")  # never asked
    await _answer(uow_factory, wave.id, "for_now", age_band="60s", sex="male")
    await _answer(uow_factory, other_wave.id, "always", age_band="60s")
    await make_response(uow_factory, wave.id, answers={"residency_intent": "always"}, submit=False)
    async with uow_factory() as uow:
        await uow.imports.add(
            wave.id,
            "M-1",
            "mail",
            {**PROFILE, "age_band": "60s"},
            {"residency_intent": "leave"},
            NOW,
        )
        await uow.commit()
    async with uow_factory() as uow:
        cells = uow.aggregates.indicator_cells
        assert await cells(wave.id, "residency_intent", YES) == [IndicatorCell((), 2, 5)]
        assert await cells(wave.id, "residency_intent", YES, ["age_band"]) == [
            IndicatorCell(("20s",), 1, 3),
            IndicatorCell(("60s",), 1, 2),
        ]
        assert await cells(wave.id, "residency_intent", YES, ["age_band", "mode"]) == [
            IndicatorCell(("20s", "chat"), 1, 3),
            IndicatorCell(("60s", "chat"), 1, 1),
            IndicatorCell(("60s", "mail"), 0, 1),
        ]
        assert await cells(wave.id, "residency_intent", YES, mode="mail") == [
            IndicatorCell((), 0, 1)
        ]
        youth = await cells(
            wave.id, "residency_intent", YES, ["sex"], subgroup={"age_band": ["18-19", "20s"]}
        )
        assert youth == [IndicatorCell(("female",), 1, 3)]
        assert await cells(wave.id, "nobody_asked", YES) == []
        with pytest.raises(StorageError, match="unknown breakdown 'income'"):
            await cells(wave.id, "residency_intent", YES, ["income"])
        for values, yes, valid in await cells(wave.id, "residency_intent", YES, ["age_band"]):
            assert values in {("20s",), ("60s",)} and yes <= valid
        completed = await uow.aggregates.completed_by(wave.id, ["age_band"])
        assert completed == [("20s", 5), ("60s", 2)]


async def test_the_aggregate_query_reads_the_tallies_not_the_answers(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    for intent in ("always", "leave", "for_now"):
        await _answer(uow_factory, wave.id, intent)
    captured: list[tuple[str, Any]] = []

    def capture(
        _conn: object, _cursor: object, statement: str, parameters: Any, *_: object
    ) -> None:
        captured.append((statement, parameters))

    async with uow_factory() as uow:
        connection = await uow.session.connection()
        event.listen(connection.sync_engine, "before_cursor_execute", capture)
        try:
            await uow.aggregates.indicator_cells(wave.id, "residency_intent", YES, ["age_band"])
        finally:
            event.remove(connection.sync_engine, "before_cursor_execute", capture)
        statement, parameters = captured[-1]
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if connection.dialect.name == "sqlite":
            cursor = await driver.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = "\n".join(str(row[-1]) for row in await cursor.fetchall())
        else:
            await connection.execute(text("SET LOCAL enable_seqscan = off"))
            rows = await driver.fetch("EXPLAIN " + statement, *parameters)
            plan = "\n".join(str(row[0]) for row in rows)
    assert "answer_tallies" in plan, plan
    assert "answers " not in plan.replace("answer_tallies", "") and "on answers" not in plan, plan


async def test_answer_counts_group_every_question_by_breakdown_and_value(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    await make_response(
        uow_factory,
        wave.id,
        answers={"residency_intent": "always", "leave_reasons": "work;housing"},
    )
    await make_response(uow_factory, wave.id, answers={"residency_intent": None})
    await make_response(uow_factory, wave.id, answers={"residency_intent": "always"}, submit=False)
    async with uow_factory() as uow:
        await uow.imports.add(wave.id, "M-1", "mail", PROFILE, {"residency_intent": "always"}, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        counts = await uow.aggregates.answer_counts(
            wave.id, ["residency_intent", "leave_reasons"], ["mode"]
        )
        assert sorted(counts, key=str) == sorted(
            [
                ("chat", "leave_reasons", "work;housing", 1),
                ("chat", "residency_intent", "always", 1),
                ("chat", "residency_intent", None, 1),
                ("mail", "residency_intent", "always", 1),
            ],
            key=str,
        )
        assert await uow.aggregates.answer_counts(wave.id, ["nobody_asked"]) == []


async def test_existing_refs_finds_imported_and_chat_references(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    chat = await make_response(uow_factory, wave.id, answers={})
    async with uow_factory() as uow:
        await uow.imports.add(wave.id, "M-1", "mail", PROFILE, {}, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        refs = ["M-1", "M-2", chat.respondent_ref, *(f"X-{i}" for i in range(1200))]
        assert await uow.imports.existing_refs(wave.id, refs) == {"M-1", chat.respondent_ref}
        assert await uow.imports.existing_refs(wave.id + 1, ["M-1"]) == set()
