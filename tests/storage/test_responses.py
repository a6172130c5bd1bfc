"""Responses and answers: idempotent start, edits, submit once, imports, export stream."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from storage.db import UnitOfWork
from storage.errors import ResponseClosedError, StorageError
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]


async def test_start_twice_gives_the_same_response(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory)
    async with uow_factory() as uow:
        first = await uow.responses.start(wave.id, resident.id, resident.key, NOW)
        second = await uow.responses.start(wave.id, resident.id, resident.key, NOW)
        await uow.commit()
    assert first == second
    assert (first.status, first.mode, first.respondent_ref) == ("partial", "chat", resident.key)
    async with uow_factory() as uow:
        assert await uow.responses.get_for(wave.id, resident.id) == first
        assert await uow.responses.for_respondent(resident.id) == [first]
        assert await uow.responses.count(wave.id) == 1


async def test_concurrent_starts_make_one_response(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory)

    async def tap() -> int:
        async with uow_factory() as uow:
            response = await uow.responses.start(wave.id, resident.id, resident.key, NOW)
            await uow.commit()
            return response.id

    ids = await asyncio.gather(*(tap() for _ in range(6)))
    assert len(set(ids)) == 1
    async with uow_factory() as uow:
        assert await uow.responses.count(wave.id) == 1


async def test_answer_again_replaces_the_earlier_answer(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    response = await make_response(uow_factory, wave.id, submit=False)
    later = NOW + timedelta(minutes=5)
    async with uow_factory() as uow:
        await uow.responses.save_answer(response.id, "livability", "neutral", None, NOW)
        await uow.responses.save_answer(response.id, "reasons_stay", "work;nature", None, NOW)
        await uow.responses.save_answer(response.id, "livability", "livable", None, later)
        await uow.responses.save_answer(response.id, "reasons_leave", "other", "買い物", later)
        await uow.responses.save_answer(response.id, "comment", None, None, later)
        await uow.commit()
    async with uow_factory() as uow:
        answers = await uow.responses.answers(response.id)
        updated = await uow.responses.get(response.id)
    assert list(answers) == ["reasons_stay", "livability", "reasons_leave", "comment"]
    assert answers["livability"].value == "livable"
    assert answers["livability"].answered_at == later
    assert answers["reasons_stay"].value == "work;nature"
    assert answers["reasons_leave"].other_text == "買い物"
    assert answers["comment"].value is None
    assert updated is not None and updated.updated_at == later


async def test_delete_answers_drops_only_the_named_questions(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    answers = {"residency_intent": "leave", "reasons_leave": "work", "livability": "livable"}
    response = await make_response(uow_factory, wave.id, answers=answers, submit=False)
    async with uow_factory() as uow:
        removed = await uow.responses.delete_answers(response.id, ["reasons_leave", "nope"])
        assert await uow.responses.delete_answers(response.id, []) == 0
        await uow.commit()
    assert removed == 1
    async with uow_factory() as uow:
        assert set(await uow.responses.answers(response.id)) == {"residency_intent", "livability"}


async def test_submit_once_then_answers_are_frozen(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    response = await make_response(
        uow_factory, wave.id, answers={"livability": "livable"}, submit=False
    )
    async with uow_factory() as uow:
        assert await uow.responses.submit(response.id, PROFILE, NOW)
        assert not await uow.responses.submit(response.id, {**PROFILE, "sex": "male"}, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.responses.get(response.id)
        assert stored is not None
        assert (stored.status, stored.submitted_at, stored.profile) == ("complete", NOW, PROFILE)
        with pytest.raises(ResponseClosedError, match="already submitted"):
            await uow.responses.save_answer(response.id, "livability", "unlivable", None, NOW)
        with pytest.raises(ResponseClosedError):
            await uow.responses.delete_answers(response.id, ["livability"])
        with pytest.raises(StorageError, match="does not exist"):
            await uow.responses.save_answer(987654, "livability", "livable", None, NOW)
    async with uow_factory() as uow:
        assert (await uow.responses.answers(response.id))["livability"].value == "livable"


async def test_concurrent_double_taps_on_submit_submit_once(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    response = await make_response(uow_factory, wave.id, submit=False)

    async def tap() -> bool:
        async with uow_factory() as uow:
            done = await uow.responses.submit(response.id, PROFILE, NOW)
            await uow.commit()
            return done

    assert sorted(await asyncio.gather(*(tap() for _ in range(4)))) == [False, False, False, True]


async def test_one_answer_per_question_is_enforced_by_the_database(uow_factory: Uow) -> None:
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from storage.models import Answer

    wave = await make_wave(uow_factory)
    response = await make_response(uow_factory, wave.id, answers={"q": "a"}, submit=False)
    async with uow_factory() as uow:
        with pytest.raises(IntegrityError):
            await uow.session.execute(
                insert(Answer).values(
                    response_id=response.id, question_id="q", value="b", answered_at=NOW
                )
            )


async def test_imported_responses_are_complete_with_their_mode(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    async with uow_factory() as uow:
        mailed = await uow.imports.add(
            wave.id, "M-0001", "mail", PROFILE, {"livability": "livable", "comment": None}, NOW
        )
        web = await uow.imports.add(wave.id, "W-1", "web", {}, {}, NOW)
        with pytest.raises(StorageError, match="'M-0001' is already stored"):
            await uow.imports.add(wave.id, "M-0001", "mail", PROFILE, {}, NOW)
        with pytest.raises(StorageError, match="unknown response mode"):
            await uow.imports.add(wave.id, "X", "fax", PROFILE, {}, NOW)
        await uow.commit()
    assert (mailed.respondent_id, mailed.mode, mailed.status) == (None, "mail", "complete")
    assert web.profile == dict.fromkeys(PROFILE)
    async with uow_factory() as uow:
        answers = await uow.responses.answers(mailed.id)
        assert {q: a.value for q, a in answers.items()} == {
            "livability": "livable",
            "comment": None,
        }


async def test_export_streams_one_row_per_response_without_chat_ids(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    other_wave = await make_wave(uow_factory)
    partial_resident = await make_respondent(uow_factory, profile=PROFILE, chat_id=5551234)
    done = await make_response(
        uow_factory, wave.id, answers={"livability": "livable", "reasons_stay": "work;nature"}
    )
    await make_response(uow_factory, wave.id, partial_resident, answers={}, submit=False)
    await make_response(uow_factory, other_wave.id, answers={"livability": "unlivable"})
    async with uow_factory() as uow:
        await uow.imports.add(wave.id, "M-1", "mail", PROFILE, {"livability": None}, NOW)
        rows = [row async for row in uow.responses.iter_export_rows(wave.id)]
        complete = [row async for row in uow.responses.iter_export_rows(wave.id, "complete")]
    assert [(r.respondent, r.status, r.mode) for r in rows] == [
        (done.respondent_ref, "complete", "chat"),
        (partial_resident.key, "partial", "chat"),
        ("M-1", "complete", "mail"),
    ]
    assert rows[0].answers == {"livability": "livable", "reasons_stay": "work;nature"}
    assert rows[0].submitted_at == NOW and rows[1].submitted_at is None
    assert rows[1].answers == {} and rows[1].profile == PROFILE  # current profile for partial
    assert rows[2].answers == {"livability": None}
    assert "5551234" not in repr(rows)
    assert len(complete) == 2


async def test_answer_repository_texts_and_value_counts(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    await make_response(uow_factory, wave.id, answers={"comment": "バスを増やして", "q": "a"})
    await make_response(uow_factory, wave.id, answers={"comment": None, "q": "a"})
    await make_response(uow_factory, wave.id, answers={"comment": "未提出"}, submit=False)
    async with uow_factory() as uow:
        texts = await uow.answers.texts(wave.id, "comment")
        assert [text for _, text in texts] == ["バスを増やして"]
        answer = await uow.answers.get(texts[0][0])
        assert answer is not None and answer.question_id == "comment"
        assert await uow.answers.texts(wave.id, "comment", after_id=texts[0][0]) == []
        assert await uow.answers.value_counts(wave.id, "q") == {"a": 2}
