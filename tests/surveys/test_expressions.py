"""Skip-logic conditions: what they mean, how they fail, and that garbage never crashes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.answers import Answer
from surveys.expressions import ConditionSyntaxError, parse_condition

ANSWERS = {
    "intent": Answer("intent", "leave"),
    "reasons": Answer("reasons", ("work", "housing")),
    "age": Answer("age", 34),
    "comment": Answer("comment", "海がきれい"),
    "skipped": Answer("skipped", None),
}
PROFILE = {"age_band": "30s", "district": "taga", "sex": None}

CASES = [
    ("intent in [prefer_leave, leave]", True),
    ("intent in [always, for_now]", False),
    ("intent not in [always, for_now]", True),
    ("intent == leave", True),
    ("intent == 'leave'", True),
    ('intent != "leave"', False),
    ("reasons contains work", True),
    ("reasons contains shopping", False),
    ("reasons in [shopping, housing]", True),
    ("reasons not in [shopping, housing]", False),
    ("reasons == work", False),
    ("age >= 34", True),
    ("age > 34", False),
    ("age < 40 and age <= 34", True),
    ("age == 34", True),
    ("age != 35", True),
    ("age >= -1", True),
    ("intent answered", True),
    ("missing answered", False),
    ("missing not answered", True),
    ("skipped not answered", True),
    ("skipped in [a, b]", False),
    ("skipped not in [a, b]", False),
    ("missing != leave", False),
    ("intent > 3", False),
    ("profile.age_band in ['18-19', 20s, 30s]", True),
    ("profile.age_band in [18-19, 20s]", False),
    ("profile.district == taga", True),
    ("profile.sex not answered", True),
    ("profile.sex == male", False),
    ("not intent == leave", False),
    ("not not intent == leave", True),
    ("intent == stay or age > 30", True),
    ("intent == stay or age > 40", False),
    ("(intent == stay or age > 30) and not reasons contains work", False),
    ("intent == leave and (age < 18 or profile.district == taga)", True),
    ("comment == '海がきれい'", True),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_condition_evaluates_as_a_resident_would_expect(text: str, expected: bool) -> None:
    assert parse_condition(text).evaluate(ANSWERS, PROFILE) is expected


def test_names_lists_questions_and_profile_fields() -> None:
    condition = parse_condition("intent in [leave] and (profile.age_band == 20s or age > 3)")
    assert condition.names == frozenset({"intent", "profile.age_band", "age"})


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 1, "condition is empty"),
        ("intent in [leave", 17, "expected ']', found end of condition"),
        ("intent in leave", 11, "expected '[', found 'leave'"),
        (
            "intent",
            7,
            "expected in, not in, ==, !=, <, <=, >, >=, contains or answered, "
            "found end of condition",
        ),
        ("age > many", 5, "expected an integer after '>'"),
        (
            "intent == leave and",
            20,
            "expected a question id or profile.<field>, found end of condition",
        ),
        ("(intent answered", 17, "expected ')', found end of condition"),
        ("intent answered leave", 17, 'expected "and", "or" or the end, found \'leave\''),
        ("intent == leave; drop", 16, "unexpected character ';'"),
        (
            "__import__('os') == 1",
            11,
            "expected in, not in, ==, !=, <, <=, >, >=, contains or answered, found '('",
        ),
        ("profile. == a", 10, "expected a profile field after 'profile.', found '=='"),
        ("(" * 40 + "a answered" + ")" * 40, 33, "condition is nested too deeply"),
    ],
)
def test_syntax_errors_say_where_and_what(text: str, column: int, message: str) -> None:
    with pytest.raises(ConditionSyntaxError) as caught:
        parse_condition(text)
    assert (caught.value.column, caught.value.message) == (column, message)


ALPHABET = st.sampled_from(
    [*"abcxyz_019-.,'\"()[]<>=! \t\n;*\\é日", "in", "not", "and", "or", "answered", "contains"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_token_garbage_raises_only_the_parser_error(text: str) -> None:
    try:
        condition = parse_condition(text)
    except ConditionSyntaxError:
        return
    assert isinstance(condition.evaluate(ANSWERS, PROFILE), bool)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_raises_only_the_parser_error(text: str) -> None:
    with contextlib.suppress(ConditionSyntaxError):
        parse_condition(text)
