"""The console's comment table: filters, seek pages, bulk labels with their history, hiding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from storage.db import UnitOfWork
from storage.repositories.comment_search import (
    CommentFilter,
    CommentSearch,
    CommentSort,
    CursorError,
)
from tests.builders import NOW, Seed, make_wave, store_comments

Uow = Callable[[], UnitOfWork]
ANALYST = 501


async def _ids(uow_factory: Uow, **filters: object) -> list[int]:
    """Ids on the first page of the newest-first table under these filters."""
    async with uow_factory() as uow:
        page = await CommentSearch(uow.session).page(CommentFilter(**filters))  # type: ignore[arg-type]
    return [row.id for row in page.rows]


async def test_every_filter_narrows_the_table_to_what_the_analyst_asked_for(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    other_wave = await make_wave(uow_factory, name="2025 autumn")
    bus, nursery, unsure, fresh, percent = await store_comments(
        uow_factory,
        wave.id,
        [
            Seed("バスが少ない", ["4"], 0.95, district="taga", age_band="70s"),
            Seed("保育園に入れない", ["3"], 0.8),
            Seed("駅前と保育園", ["2", "3"], 0.4, review=True, days=3),
            Seed("未分類のまま"),
            Seed("送料100%無料に", ["other"], 0.6, days=5),
        ],
    )
    [elsewhere] = await store_comments(
        uow_factory, other_wave.id, [Seed("保育園の先生", ["3"], 0.7)]
    )

    assert await _ids(uow_factory, wave_id=wave.id) == [percent, fresh, unsure, nursery, bus]
    assert await _ids(uow_factory) == [elsewhere, percent, fresh, unsure, nursery, bus]
    assert await _ids(uow_factory, goal="3") == [elsewhere, unsure, nursery]
    assert await _ids(uow_factory, goal="3", wave_id=wave.id) == [unsure, nursery]
    assert await _ids(uow_factory, unsure=True) == [unsure]
    assert await _ids(uow_factory, min_confidence=0.6, max_confidence=0.8) == [
        elsewhere,
        percent,
        nursery,
    ]
    assert await _ids(uow_factory, district="taga") == [bus]
    assert await _ids(uow_factory, age_band="70s") == [bus]
    assert await _ids(uow_factory, since=NOW + timedelta(days=1)) == [percent, unsure]
    assert await _ids(
        uow_factory, until=NOW + timedelta(days=4), since=NOW + timedelta(days=1)
    ) == [unsure]
    assert await _ids(uow_factory, text="保育園") == [elsewhere, unsure, nursery]
    assert await _ids(uow_factory, text="100%") == [percent]
    assert await _ids(uow_factory, text="0%無") == [percent]
    assert await _ids(uow_factory, text="%") == [percent]
    assert await _ids(uow_factory, ids=(bus, elsewhere)) == [elsewhere, bus]
    async with uow_factory() as uow:
        [row] = (await CommentSearch(uow.session).page(CommentFilter(ids=(bus,)))).rows
    assert (row.masked_text, row.goals, row.district, row.age_band) == (
        "バスが少ない",
        ("4",),
        "taga",
        "70s",
    )


async def test_an_analysts_label_wins_over_the_classifier_in_the_goal_filter(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    park, road = await store_comments(
        uow_factory, wave.id, [Seed("公園の遊具", ["2"]), Seed("道路の穴", ["4"])]
    )
    async with uow_factory() as uow:
        await CommentSearch(uow.session).relabel([park], ["3"], ANALYST, NOW)
        await uow.commit()
    assert await _ids(uow_factory, goal="3") == [park]
    assert await _ids(uow_factory, goal="2") == []
    assert await _ids(uow_factory, unreviewed=True) == [road]
    async with uow_factory() as uow:
        [row] = (await CommentSearch(uow.session).page(CommentFilter(ids=(park,)))).rows
    assert (row.goals, row.classifier_goals, row.labeled_at) == (("3",), ("2",), NOW)


@pytest.mark.parametrize(
    "sort",
    [
        CommentSort.NEWEST,
        CommentSort.OLDEST,
        CommentSort.LEAST_CONFIDENT,
        CommentSort.MOST_CONFIDENT,
    ],
)
async def test_pages_follow_each_other_and_cover_every_comment_once(
    uow_factory: Uow, sort: CommentSort
) -> None:
    wave = await make_wave(uow_factory)
    confidences = [0.5, 0.9, 0.5, 0.7, 0.5, 0.3, 0.9]
    ids = await store_comments(
        uow_factory, wave.id, [Seed(f"意見{i}", ["4"], c) for i, c in enumerate(confidences)]
    )
    seen: list[int] = []
    cursor = None
    async with uow_factory() as uow:
        search = CommentSearch(uow.session)
        while True:
            page = await search.page(CommentFilter(wave_id=wave.id), sort, cursor, size=3)
            assert len(page.rows) <= 3
            seen += [row.id for row in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    by_confidence = sorted(zip(confidences, ids, strict=True))
    expected = {
        CommentSort.NEWEST: ids[::-1],
        CommentSort.OLDEST: ids,
        CommentSort.LEAST_CONFIDENT: [cid for _, cid in by_confidence],
        CommentSort.MOST_CONFIDENT: [cid for _, cid in by_confidence[::-1]],
    }[sort]
    assert seen == expected


async def test_a_cursor_of_another_sort_is_refused_with_a_clear_error(uow_factory: Uow) -> None:
    async with uow_factory() as uow:
        with pytest.raises(CursorError, match="not a page"):
            await CommentSearch(uow.session).page(
                CommentFilter(), CommentSort.LEAST_CONFIDENT, "12"
            )


async def test_bulk_relabel_and_confirm_record_who_when_from_and_to_and_feed_training(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    first, second, unclassified = await store_comments(
        uow_factory,
        wave.id,
        [
            Seed("駅前の駐車場", ["2"], 0.4, review=True),
            Seed("バス停", ["4"], 0.5, review=True),
            Seed("x"),
        ],
    )
    later = NOW + timedelta(hours=1)
    async with uow_factory() as uow:
        search = CommentSearch(uow.session)
        relabelled = await search.relabel([first, second, 999_999], ["4"], ANALYST, NOW)
        confirmed = await search.confirm([first, unclassified], ANALYST + 1, later)
        await uow.commit()
    assert [(c.comment_id, c.previous, c.goals) for c in relabelled] == [
        (first, ("2",), ("4",)),
        (second, ("4",), ("4",)),
    ]
    assert [(c.comment_id, c.previous, c.goals) for c in confirmed] == [(first, ("4",), ("4",))]
    async with uow_factory() as uow:
        history = await CommentSearch(uow.session).history(first)
        training = {item.comment_id: item.goals for item in await uow.comments.labeled()}
        assert await uow.comments.review_queue_size() == 0
    assert [(h.previous, h.goals, h.by, h.at) for h in history] == [
        (("2",), ("4",), ANALYST, NOW),
        (("4",), ("4",), ANALYST + 1, later),
    ]
    assert training == {first: ("4",), second: ("4",)}


async def test_a_hidden_comment_stays_out_of_reports_until_it_is_shown_again(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    kept, rude = await store_comments(
        uow_factory, wave.id, [Seed("バスを増やして", ["4"]), Seed("ひどい悪口", ["4"])]
    )
    async with uow_factory() as uow:
        search = CommentSearch(uow.session)
        with pytest.raises(ValueError, match="reason"):
            await search.hide([rude], "  ", ANALYST, NOW)
        assert await search.hide([rude, 999_999], "誹謗中傷", ANALYST, NOW) == [rude]
        assert await search.hide([rude], "二度目", ANALYST, NOW) == []
        await uow.commit()
    async with uow_factory() as uow:
        search = CommentSearch(uow.session)
        assert await search.visible_counts_by_goal(wave.id) == {"4": 1}
        assert await search.visible_examples(wave.id, "4", 5) == ["バスを増やして"]
        assert [s.id for s in await search.theme_sources(wave.id)] == [kept]
        rows = (await search.page(CommentFilter(wave_id=wave.id))).rows
        assert [(r.id, r.hidden_reason) for r in rows] == [(rude, "誹謗中傷"), (kept, None)]
    assert await _ids(uow_factory, include_hidden=False) == [kept]
    async with uow_factory() as uow:
        assert await CommentSearch(uow.session).unhide([rude, kept]) == [rude]
        await uow.commit()
    async with uow_factory() as uow:
        assert await CommentSearch(uow.session).visible_counts_by_goal(wave.id) == {"4": 2}
