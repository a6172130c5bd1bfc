"""Answers survive the trip to the database and back unchanged, in one stored form."""

from __future__ import annotations

import pytest

from surveys.answers import Answer, AnswerValue
from surveys.bundled import load_bundled
from surveys.codec import (
    decode,
    decode_value,
    encode,
    encode_value,
    join_codes,
    split_codes,
)

SURVEY = load_bundled("residency-livability")


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


def test_a_multi_answer_with_its_other_text_comes_back_as_given() -> None:
    question = SURVEY.question("stay_reasons")
    answer = Answer("stay_reasons", ("nature", "other"), "海が近い")

    value, other_text = encode(answer)

    assert (value, other_text) == ("nature;other", "海が近い")
    assert decode(question, value, other_text) == answer


def test_a_skipped_question_is_stored_as_nothing_and_read_as_skipped() -> None:
    question = SURVEY.question("stay_reasons")

    assert encode(Answer("stay_reasons", None)) == (None, None)
    assert decode(question, None).skipped


def test_a_stored_number_that_does_not_parse_reads_as_unanswered() -> None:
    assert decode_value("number", "twelve") is None


def test_codes_split_and_join_in_the_written_order() -> None:
    assert split_codes("work;;housing;") == ("work", "housing")
    assert split_codes(None) == ()
    assert join_codes(split_codes("housing;work")) == "housing;work"
