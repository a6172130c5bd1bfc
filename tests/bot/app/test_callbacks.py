"""One callback-data scheme: staff, review and comment-page buttons beside the residents'."""

from __future__ import annotations

import re

import pytest

from bot.app import callbacks as cb
from bot.app.callbacks import ReviewAction, WaveAction
from bot.app.conversation.taps import TAPS

RESIDENT_PATTERN = cb.RESIDENT_PATTERN


@pytest.mark.parametrize("action", list(WaveAction))
def test_every_wave_button_reads_back_as_made(action: WaveAction) -> None:
    data = cb.wave_data(action, 123_456_789)
    assert cb.parse_wave(data) == cb.WaveTap(action, 123_456_789)
    assert re.match(cb.STAFF_WAVE_PATTERN, data) and not re.match(RESIDENT_PATTERN, data)


@pytest.mark.parametrize("action", list(ReviewAction))
def test_every_review_button_reads_back_with_goals_1_to_4_only(action: ReviewAction) -> None:
    data = cb.review_data(987_654, action, 0b1010)
    assert cb.parse_review(data) == cb.ReviewTap(987_654, action, 0b1010)
    assert cb.parse_review(cb.review_data(1, action, 0b110000 | 0b0001)) == cb.ReviewTap(
        1, action, 0b0001
    )
    assert re.match(cb.REVIEW_PATTERN, data) and not re.match(cb.STAFF_WAVE_PATTERN, data)


@pytest.mark.parametrize("goal", ["1", "2", "3", "4", "other"])
def test_comment_pages_read_back_per_goal(goal: str) -> None:
    data = cb.comments_page_data(goal, 12)
    assert cb.parse_comments_page(data) == cb.CommentsPage(goal, 12)
    assert re.match(cb.COMMENTS_PAGE_PATTERN, data) and not re.match(RESIDENT_PATTERN, data)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "wv:x:1",
        "wv:o:",
        "wv:o:1:2",
        "wv:o:-1",
        "rv:1:ok",
        "rv:1:zz:3",
        "rv:a:ok:3",
        "rv:1:ok:123",
        "cm:5:0",
        "cm:1:12345",
        "A:1:q:0",
    ],
)
def test_data_this_bot_did_not_make_reads_as_nothing(data: str | None) -> None:
    assert cb.parse_wave(data) is None
    assert cb.parse_review(data) is None
    assert cb.parse_comments_page(data) is None


def test_every_resident_kind_has_its_use_case_and_only_those_match() -> None:
    assert sorted(TAPS) == sorted(cb.RESIDENT_KINDS)
    assert all(re.match(RESIDENT_PATTERN, cb.pack(kind, 1)) for kind in cb.RESIDENT_KINDS)
    assert not re.match(RESIDENT_PATTERN, "Z:1")


def test_staff_data_stays_within_telegrams_64_bytes() -> None:
    longest = [
        cb.wave_data(WaveAction.PREVIEW_RESULTS, 2**63),
        cb.review_data(2**63, ReviewAction.LABEL, 15),
        cb.comments_page_data("other", 9999),
    ]
    assert all(len(data.encode()) <= cb.MAX_BYTES for data in longest)
