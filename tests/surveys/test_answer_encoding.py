"""Answers survive the trip to the database and back unchanged."""

from __future__ import annotations

import pytest

from surveys.answers import AnswerValue, decode_value, encode_value


@pytest.mark.parametrize(
    ("question_type", "value", "stored"),
    [
        ("single", "for_now", "for_now"),
        ("likert", "livable", "livable"),
        ("multi", ("work", "housing"), "work;housing"),
        ("multi", (), ""),
        ("number", 12, "12"),
        ("text", "バスを増やして <b>&", "バスを増やして <b>&"),
        ("text", None, None),
    ],
)
def test_round_trip(question_type: str, value: AnswerValue, stored: str | None) -> None:
    assert encode_value(value) == stored
    assert decode_value(question_type, stored) == value
