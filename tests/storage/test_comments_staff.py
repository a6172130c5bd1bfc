"""Comments (classification, review, labels, counts) and staff roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from storage.db import UnitOfWork
from storage.errors import StorageError
from tests.builders import NOW, make_comment, make_response, make_wave

Uow = Callable[[], UnitOfWork]


async def _comments(uow_factory: Uow, texts: list[str]) -> tuple[int, list[int]]:
    """A wave with one stored comment per text; returns (wave id, comment ids)."""
    wave = await make_wave(uow_factory)
    ids: list[int] = []
    for text in texts:
        ids.append(await make_comment(uow_factory, wave.id, text, confidence=None))
    return wave.id, ids


async def _classify(
    uow_factory: Uow, comment_id: int, goals: list[str], confidence: float, review: bool
) -> None:
    """Store a classifier verdict."""
    async with uow_factory() as uow:
        await uow.comments.set_classification(
            comment_id,
            goals=goals,
            primary_goal=goals[0] if goals else None,
            confidence=confidence,
            needs_review=review,
            model_version="m1",
            at=NOW,
        )
        await uow.commit()


async def test_missing_finds_submitted_comments_not_stored_yet(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    other_wave = await make_wave(uow_factory, name="other")
    waiting = await make_response(uow_factory, wave.id, answers={"comment": "公園を増やして"})
    stored_wave, _ = await _comments(uow_factory, ["バスが少ない"])
    await make_response(uow_factory, wave.id, answers={"comment": "下書き"}, submit=False)
    blank = {"comment": "   ", "livability": "livable"}
    blank_comment = await make_response(uow_factory, wave.id, answers=blank)
    await make_response(uow_factory, wave.id, answers={"comment": None})
    await make_response(uow_factory, other_wave.id, answers={"comment": "別の回"})
    async with uow_factory() as uow:
        assert await uow.comments.missing(wave.id, ["comment"]) == [waiting.id]
        assert await uow.comments.missing(wave.id, ["livability"]) == [blank_comment.id]
        assert await uow.comments.missing(wave.id, []) == []
        assert await uow.comments.missing(stored_wave, ["comment"]) == []


async def test_submitted_texts_reads_the_comments_of_many_responses_at_once(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    other_wave = await make_wave(uow_factory, name="other")
    first = await make_response(uow_factory, wave.id, answers={"comment": "公園を", "x": " "})
    draft = await make_response(uow_factory, wave.id, answers={"comment": "下書き"}, submit=False)
    other = await make_response(
        uow_factory, other_wave.id, answers={"livability": "livable", "comment": None}
    )
    async with uow_factory() as uow:
        found = await uow.answers.submitted_texts([other.id, draft.id, first.id, first.id])
        assert await uow.answers.submitted_texts([]) == []
    assert [(t.response_id, t.wave_id, t.question_id, t.text) for t in found] == [
        (first.id, wave.id, "comment", "公園を"),
        (other.id, other_wave.id, "livability", "livable"),
    ]
    async with uow_factory() as uow:
        stored = await uow.responses.answers(first.id)
    assert found[0].answer_id == stored["comment"].id


async def test_comment_classification_review_goal_and_counts(uow_factory: Uow) -> None:
    wave_id, (bus, school, both, unsure) = await _comments(
        uow_factory, ["バスが少ない", "保育園を増やして", "駅前と子育て", "よくわからない"]
    )
    async with uow_factory() as uow:
        assert [c.id for c in await uow.comments.unclassified()] == [bus, school, both, unsure]
    await _classify(uow_factory, bus, ["4"], 0.9, False)
    await _classify(uow_factory, school, ["3"], 0.8, False)
    await _classify(uow_factory, both, ["2", "3"], 0.4, True)
    await _classify(uow_factory, unsure, ["other"], 0.2, True)
    async with uow_factory() as uow:
        stored = await uow.comments.get(both)
        assert stored is not None
        assert (stored.goals, stored.primary_goal, stored.model_version) == (("2", "3"), "2", "m1")
        assert await uow.comments.unclassified() == []
        assert [c.id for c in await uow.comments.needs_review(10)] == [unsure, both]
        assert [c.id for c in await uow.comments.needs_review(1)] == [unsure]
        assert [c.id for c in await uow.comments.by_goal("3")] == [both, school]
        assert await uow.comments.by_goal("1") == []
        assert [c.id for c in await uow.comments.by_goal("2", wave_id=wave_id)] == [both]
        assert await uow.comments.counts_by_goal(wave_id) == {"2": 1, "3": 2, "4": 1, "other": 1}


async def test_labels_clear_review_and_latest_label_is_training_data(uow_factory: Uow) -> None:
    _, (first, second) = await _comments(uow_factory, ["医療が不安", "公園がほしい"])
    await _classify(uow_factory, first, ["1"], 0.3, True)
    async with uow_factory() as uow:
        await uow.comments.add_label(first, ["1"], 42, NOW)
        await uow.comments.add_label(first, ["4"], 43, NOW + timedelta(minutes=1))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.comments.needs_review(10) == []
        labeled = await uow.comments.labeled()
    assert [(item.comment_id, item.goals, item.labeled_by) for item in labeled] == [
        (first, ("4",), 43)
    ]
    assert labeled[0].masked_text == "医療が不安"
    assert second not in [item.comment_id for item in labeled]


async def test_editing_a_comment_resets_its_classification(uow_factory: Uow) -> None:
    _, (comment_id,) = await _comments(uow_factory, ["最初の意見"])
    await _classify(uow_factory, comment_id, ["2"], 0.9, False)
    async with uow_factory() as uow:
        stored = await uow.comments.get(comment_id)
        assert stored is not None
        again = await uow.comments.add(stored.answer_id, stored.wave_id, "直した意見", NOW)
        await uow.commit()
    assert again.id == comment_id
    assert (again.masked_text, again.goals, again.classified_at) == ("直した意見", (), None)


async def test_staff_roles_add_change_remove(uow_factory: Uow) -> None:
    async with uow_factory() as uow:
        await uow.staff.add(200, "analyst", NOW)
        await uow.staff.add(100, "admin", NOW)
        changed = await uow.staff.add(200, "admin", NOW + timedelta(days=1))
        with pytest.raises(StorageError, match="unknown role 'owner'"):
            await uow.staff.add(300, "owner", NOW)
        await uow.commit()
    assert (changed.role, changed.added_at) == ("admin", NOW)
    async with uow_factory() as uow:
        assert [(s.user_id, s.role) for s in await uow.staff.list()] == [
            (100, "admin"),
            (200, "admin"),
        ]
        assert await uow.staff.role_of(100) == "admin"
        assert await uow.staff.role_of(999) is None
        assert await uow.staff.remove(100)
        assert not await uow.staff.remove(100)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.staff.role_of(100) is None


async def test_analysts_labels_win_in_listings_and_a_review_is_claimed_once(
    uow_factory: Uow,
) -> None:
    wave_id, (bus, school) = await _comments(uow_factory, ["バスが少ない", "駅前がさびしい"])
    await _classify(uow_factory, bus, ["4"], 0.9, False)
    await _classify(uow_factory, school, ["3"], 0.3, True)
    async with uow_factory() as uow:
        assert await uow.comments.review_queue_size() == 1
        assert await uow.comments.claim_for_review(school) is True
        assert await uow.comments.claim_for_review(school) is False
        await uow.comments.add_label(school, ["2"], by=42, at=NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.comments.review_queue_size() == 0
        assert [r.comment.id for r in await uow.comments.reviewed_of_goal("2")] == [school]
        assert await uow.comments.reviewed_of_goal("3") == []
        assert await uow.comments.reviewed_goal_counts(wave_id) == {"4": 1, "2": 1}
        listed = await uow.comments.reviewed_of_wave(wave_id)
        assert [(r.comment.id, r.goals) for r in listed] == [(bus, ("4",)), (school, ("2",))]


async def test_raw_comment_text_can_be_replaced_by_its_masked_form(uow_factory: Uow) -> None:
    _, (comment_id,) = await _comments(uow_factory, ["山田です 090-1234-5678"])
    async with uow_factory() as uow:
        comment = await uow.comments.get(comment_id)
        assert comment is not None
        assert await uow.comments.masked_texts([comment.answer_id]) == {
            comment.answer_id: "山田です 090-1234-5678"
        }
        await uow.comments.replace_raw_text(comment.answer_id, "【氏名】です 【電話番号】")
        await uow.commit()
    async with uow_factory() as uow:
        answer = await uow.answers.get(comment.answer_id)
        assert answer is not None and answer.value == "【氏名】です 【電話番号】"
