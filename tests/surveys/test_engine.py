"""The flow engine: next step, skip logic, back and edit, progress, answer validation."""

from __future__ import annotations

import pytest

from surveys.bundled import load_bundled
from surveys.definition import Question, Survey
from surveys.engine import (
    Answer,
    AskOther,
    AskQuestion,
    Invalid,
    Reason,
    Review,
    answers_to_drop,
    is_complete,
    next_step,
    previous_question,
    progress,
    relevant_questions,
    render_answer,
    skip_answer,
    validate_answer,
    validate_other_text,
    with_other_text,
)
from surveys.loader import parse_survey

EVERY_TYPE = """\
id: every-type
version: "1"
title: {ja: 全種類}
questions:
  - id: mode
    type: single
    label: {ja: 通勤手段, en: Commute}
    choices:
      - {id: train, label: {ja: 電車, en: Train}}
      - {id: car, label: {ja: 車, en: Car}}
      - {id: other, label: {ja: その他, en: Other}, other: true}
  - id: hobbies
    type: multi
    min: 2
    max: 3
    label: {ja: 趣味}
    choices:
      - {id: sea, label: {ja: 海, en: Sea}}
      - {id: hills, label: {ja: 山, en: Hills}}
      - {id: books, label: {ja: 本, en: Books}}
      - {id: games, label: {ja: ゲーム, en: Games}}
  - id: mood
    type: likert
    label: {ja: 気分}
    choices:
      - {id: p1, label: {ja: とても良い}}
      - {id: p2, label: {ja: 良い}}
      - {id: p3, label: {ja: 普通}}
      - {id: p4, label: {ja: 悪い}}
      - {id: p5, label: {ja: とても悪い}}
  - id: minutes
    type: number
    min: 0
    max: 180
    relevant: mode in [train, car]
    label: {ja: 通勤時間（分）}
  - id: note
    type: text
    max_length: 10
    required: false
    label: {ja: メモ}
"""
NOBODY: dict[str, str | None] = {}


@pytest.fixture(scope="module")
def survey() -> Survey:
    """A survey with one question of every type."""
    return parse_survey(EVERY_TYPE, "every-type.yaml")


@pytest.fixture(scope="module")
def residency() -> Survey:
    """The bundled residency-livability survey."""
    return load_bundled("residency-livability")


def answered(**values: object) -> dict[str, Answer]:
    """Stored answers from keyword values (a (value, other_text) pair sets the other text)."""
    result: dict[str, Answer] = {}
    for question_id, value in values.items():
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "other":
            result[question_id] = Answer(question_id, value[0], value[1])
        else:
            result[question_id] = Answer(question_id, value)  # type: ignore[arg-type]
    return result


def ok(question: Question, raw: str | list[str] | None) -> Answer:
    """Validate and insist the answer is accepted."""
    result = validate_answer(question, raw)
    assert isinstance(result, Answer), result
    return result


# --- the walk through a survey -------------------------------------------------------------


def test_first_step_asks_the_first_question_with_its_number(survey: Survey) -> None:
    step = next_step(survey, {}, NOBODY)
    # minutes depends on mode, not answered yet: 4 questions (mode "other"), else 5
    assert step == AskQuestion(survey.question("mode"), 1, 4, 5)


def test_walk_through_every_type_ends_in_review_in_order(survey: Survey) -> None:
    answers: dict[str, Answer] = {}
    inputs: dict[str, str | list[str]] = {
        "mode": "car",
        "hobbies": ["books", "sea"],
        "mood": "p2",
        "minutes": "４５",
        "note": "  早起き  ",
    }
    for expected in ["mode", "hobbies", "mood", "minutes", "note"]:
        step = next_step(survey, answers, NOBODY)
        assert isinstance(step, AskQuestion)
        assert step.question.id == expected
        answers[expected] = ok(step.question, inputs[expected])
    step = next_step(survey, answers, NOBODY)
    assert isinstance(step, Review)
    assert [(q.id, a.value) for q, a in step.items] == [
        ("mode", "car"),
        ("hobbies", ("sea", "books")),
        ("mood", "p2"),
        ("minutes", 45),
        ("note", "早起き"),
    ]
    assert is_complete(survey, answers, NOBODY)


def test_other_choice_asks_for_text_before_moving_on(survey: Survey) -> None:
    answers = {"mode": ok(survey.question("mode"), "other")}
    assert next_step(survey, answers, NOBODY) == AskOther(survey.question("mode"))
    assert not is_complete(survey, answers, NOBODY)
    text = validate_other_text("  自転車 ")
    assert text == "自転車"
    answers["mode"] = with_other_text(answers["mode"], text)
    step = next_step(survey, answers, NOBODY)
    assert isinstance(step, AskQuestion) and step.question.id == "hobbies"


def test_other_text_must_be_short_and_not_blank() -> None:
    assert validate_other_text("   ") == Invalid(Reason.EMPTY)
    assert validate_other_text("あ" * 201) == Invalid(Reason.TOO_LONG, limit=200, given=201)


def test_skipped_optional_question_counts_as_answered(survey: Survey) -> None:
    answers = answered(mode="train", hobbies=("sea", "hills"), mood="p3", minutes=10)
    skip = skip_answer(survey.question("note"))
    assert skip == Answer("note", None)
    answers["note"] = skip
    assert isinstance(next_step(survey, answers, NOBODY), Review)


def test_required_question_cannot_be_skipped(survey: Survey) -> None:
    assert skip_answer(survey.question("mood")) == Invalid(Reason.REQUIRED)
    assert validate_answer(survey.question("mode"), None) == Invalid(Reason.REQUIRED)


# --- skip logic, both branches, on the bundled survey --------------------------------------


def test_wanting_to_leave_asks_leave_reasons_not_stay_reasons(residency: Survey) -> None:
    answers = answered(livability="neutral", residency_intent="leave")
    step = next_step(residency, answers, NOBODY)
    assert isinstance(step, AskQuestion)
    assert (step.question.id, step.number, step.total) == ("leave_reasons", 3, 5)
    ids = [q.id for q in relevant_questions(residency, answers, NOBODY)]
    assert "stay_reasons" not in ids


def test_wanting_to_stay_asks_stay_reasons_not_leave_reasons(residency: Survey) -> None:
    answers = answered(livability="livable", residency_intent="always")
    step = next_step(residency, answers, NOBODY)
    assert isinstance(step, AskQuestion) and step.question.id == "stay_reasons"
    ids = [q.id for q in relevant_questions(residency, answers, NOBODY)]
    assert "leave_reasons" not in ids


def test_unsure_skips_both_reason_questions(residency: Survey) -> None:
    answers = answered(livability="livable", residency_intent="unsure")
    step = next_step(residency, answers, NOBODY)
    assert isinstance(step, AskQuestion)
    assert (step.question.id, step.number, step.total) == ("transport_satisfaction", 3, 4)


def test_profile_conditions_decide_relevance() -> None:
    text = EVERY_TYPE.replace(
        "relevant: mode in [train, car]", "relevant: profile.age_band in [20s]"
    )
    survey = parse_survey(text, "p.yaml")
    young = {q.id for q in relevant_questions(survey, {}, {"age_band": "20s"})}
    older = {q.id for q in relevant_questions(survey, {}, {"age_band": "60s"})}
    unknown = {q.id for q in relevant_questions(survey, {}, {})}
    assert "minutes" in young
    assert "minutes" not in older
    assert "minutes" not in unknown


# --- back and edit --------------------------------------------------------------------------


def test_back_button_walks_relevant_questions_backwards(residency: Survey) -> None:
    answers = answered(livability="livable", residency_intent="always", stay_reasons=("nature",))
    assert previous_question(residency, answers, NOBODY, "transport_satisfaction") == (
        residency.question("stay_reasons")
    )
    assert previous_question(residency, answers, NOBODY, "stay_reasons") == residency.question(
        "residency_intent"
    )
    assert previous_question(residency, answers, NOBODY, "livability") is None


def test_back_from_review_gives_last_relevant_question(residency: Survey) -> None:
    answers = answered(livability="livable", residency_intent="leave", leave_reasons=("work",))
    answers |= answered(transport_satisfaction="neutral", comment=None)
    assert previous_question(residency, answers, NOBODY, None) == residency.question("comment")


def test_back_skips_questions_that_skip_logic_hides(residency: Survey) -> None:
    answers = answered(livability="livable", residency_intent="unsure")
    previous = previous_question(residency, answers, NOBODY, "transport_satisfaction")
    assert previous == residency.question("residency_intent")


def test_editing_intent_from_leave_to_always_drops_leave_reasons(residency: Survey) -> None:
    answers = answered(
        livability="somewhat_unlivable",
        residency_intent="leave",
        leave_reasons=("work", "shopping"),
        transport_satisfaction="dissatisfied",
    )
    assert answers_to_drop(residency, answers, NOBODY) == []
    answers["residency_intent"] = ok(residency.question("residency_intent"), "always")
    assert answers_to_drop(residency, answers, NOBODY) == ["leave_reasons"]
    step = next_step(residency, answers, NOBODY)
    assert isinstance(step, AskQuestion) and step.question.id == "stay_reasons"
    for question_id in answers_to_drop(residency, answers, NOBODY):
        del answers[question_id]
    assert progress(residency, answers, NOBODY) == (3, 5)


def test_answers_to_questions_no_longer_in_the_survey_are_dropped(residency: Survey) -> None:
    answers = answered(livability="livable", retired_question="x")
    assert answers_to_drop(residency, answers, NOBODY) == ["retired_question"]


# --- progress --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ("livable", "always", ("nature",), "satisfied"),
        ("livable", "leave", ("work",), "satisfied"),
        ("livable", "unsure", "satisfied"),
    ],
)
def test_the_count_of_questions_never_grows_on_the_way(residency: Survey, path: tuple) -> None:
    answers: dict[str, Answer] = {}
    shown: list[tuple[int, int | None, int | None]] = []
    for value in path:
        step = next_step(residency, answers, NOBODY)
        assert isinstance(step, AskQuestion)
        shown.append((step.number, step.fewest, step.most))
        answers[step.question.id] = Answer(step.question.id, value)
    numbers = [number for number, _, _ in shown]
    assert numbers == list(range(1, len(path) + 1))
    final = len(path) + 1  # the comment follows
    assert all(fewest is not None and most is not None for _, fewest, most in shown)
    assert all(fewest <= final <= most for _, fewest, most in shown)  # type: ignore[operator]
    mosts = [most for _, _, most in shown]
    assert mosts == sorted(mosts, reverse=True)


def test_the_count_is_a_range_until_the_deciding_answer_then_exact(residency: Survey) -> None:
    first = next_step(residency, {}, NOBODY)
    assert isinstance(first, AskQuestion)
    assert (first.fewest, first.most, first.total) == (4, 5, None)
    answers = answered(livability="livable", residency_intent="for_now")
    third = next_step(residency, answers, NOBODY)
    assert isinstance(third, AskQuestion) and (third.number, third.total) == (3, 5)


def test_a_count_that_hangs_on_a_typed_answer_is_not_given(survey: Survey) -> None:
    text = EVERY_TYPE.replace("relevant: mode in [train, car]", "relevant: mood in [p1]").replace(
        "required: false", "required: false\n    relevant: minutes > 30"
    )
    typed = parse_survey(text, "typed.yaml")
    answers = answered(mode="car", hobbies=("sea", "books"), mood="p1")
    step = next_step(typed, answers, NOBODY)
    assert isinstance(step, AskQuestion) and step.question.id == "minutes"
    assert (step.fewest, step.most, step.total) == (None, None, None)
    answers |= answered(minutes=45)
    step = next_step(typed, answers, NOBODY)
    assert isinstance(step, AskQuestion) and (step.number, step.total) == (5, 5)


def test_profile_fields_settle_the_count(survey: Survey) -> None:
    text = EVERY_TYPE.replace(
        "relevant: mode in [train, car]", "relevant: profile.age_band in [20s]"
    )
    by_age = parse_survey(text, "p.yaml")
    young = next_step(by_age, {}, {"age_band": "20s"})
    older = next_step(by_age, {}, {"age_band": "60s"})
    assert isinstance(young, AskQuestion) and isinstance(older, AskQuestion)
    assert (young.total, older.total) == (5, 4)


def test_progress_counts_only_relevant_questions(residency: Survey) -> None:
    assert progress(residency, {}, NOBODY) == (0, 4)
    assert progress(residency, answered(livability="livable"), NOBODY) == (1, 4)
    answers = answered(livability="livable", residency_intent="prefer_leave")
    assert progress(residency, answers, NOBODY) == (2, 5)
    answers |= answered(leave_reasons=("other",))
    assert progress(residency, answers, NOBODY) == (2, 5)
    answers["leave_reasons"] = with_other_text(answers["leave_reasons"], "仕事の都合")
    assert progress(residency, answers, NOBODY) == (3, 5)


# --- validation: every reason ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "raw", "expected"),
    [
        ("mode", "bus", Invalid(Reason.UNKNOWN_CHOICE)),
        ("mode", ["train"], Invalid(Reason.UNKNOWN_CHOICE)),
        ("mood", "p9", Invalid(Reason.UNKNOWN_CHOICE)),
        ("hobbies", ["sea", "ski"], Invalid(Reason.UNKNOWN_CHOICE)),
        ("hobbies", ["sea"], Invalid(Reason.TOO_FEW, minimum=2, maximum=3, given=1)),
        ("hobbies", ["sea", "hills", "books", "games"], Invalid(Reason.TOO_MANY, 2, 3, given=4)),
        ("hobbies", [], Invalid(Reason.TOO_FEW, minimum=2, maximum=3, given=0)),
        ("minutes", "forty", Invalid(Reason.NOT_A_NUMBER, minimum=0, maximum=180)),
        ("minutes", "4.5", Invalid(Reason.NOT_A_NUMBER, minimum=0, maximum=180)),
        ("minutes", "181", Invalid(Reason.OUT_OF_RANGE, minimum=0, maximum=180)),
        ("minutes", "-1", Invalid(Reason.OUT_OF_RANGE, minimum=0, maximum=180)),
        ("minutes", "   ", Invalid(Reason.EMPTY)),
        ("note", "  ", Invalid(Reason.EMPTY)),
        ("note", "あいうえおかきくけこさ", Invalid(Reason.TOO_LONG, limit=10, given=11)),
        ("mood", None, Invalid(Reason.REQUIRED)),
    ],
)
def test_invalid_answers_say_why(
    survey: Survey, question_id: str, raw: str | list[str] | None, expected: Invalid
) -> None:
    assert validate_answer(survey.question(question_id), raw) == expected


@pytest.mark.parametrize(
    ("question_id", "raw", "value"),
    [
        ("mode", "train", "train"),
        ("mood", "p5", "p5"),
        ("hobbies", ["games", "sea", "sea"], ("sea", "games")),
        ("minutes", " １２０ ", 120),
        ("minutes", "0", 0),
        ("minutes", "+7", 7),
        ("note", "\n短い\n", "短い"),
        ("note", "あいうえおかきくけこ", "あいうえおかきくけこ"),
        ("note", None, None),
    ],
)
def test_valid_answers_are_normalised(
    survey: Survey, question_id: str, raw: str | list[str] | None, value: object
) -> None:
    assert ok(survey.question(question_id), raw) == Answer(question_id, value)  # type: ignore[arg-type]


def test_required_multi_without_min_needs_one_choice(residency: Survey) -> None:
    question = residency.question("leave_reasons")
    assert validate_answer(question, []) == Invalid(Reason.TOO_FEW, minimum=1, maximum=3, given=0)
    assert validate_answer(question, ["work", "housing", "medical", "shopping"]) == Invalid(
        Reason.TOO_MANY, minimum=1, maximum=3, given=4
    )


def test_long_comment_is_refused_with_the_limit(residency: Survey) -> None:
    result = validate_answer(residency.question("comment"), "声" * 1001)
    assert result == Invalid(Reason.TOO_LONG, limit=1000, given=1001)


# --- rendering for the review screen ---------------------------------------------------------


def test_render_answer_in_each_language(survey: Survey, residency: Survey) -> None:
    hobbies = survey.question("hobbies")
    assert render_answer(hobbies, Answer("hobbies", ("sea", "books")), "ja") == "海、本"
    assert render_answer(hobbies, Answer("hobbies", ("sea", "books")), "en") == "Sea, Books"
    mode = survey.question("mode")
    assert render_answer(mode, Answer("mode", "other", "自転車"), "ja") == "その他（自転車）"
    assert render_answer(mode, Answer("mode", "other", "bike"), "en") == "Other (bike)"
    assert render_answer(survey.question("minutes"), Answer("minutes", 45), "en") == "45"
    assert render_answer(survey.question("note"), Answer("note", None), "en") == "(skipped)"
    assert render_answer(survey.question("note"), Answer("note", None), "ja") == "（回答なし）"
    intent = residency.question("residency_intent")
    assert (
        render_answer(intent, Answer("residency_intent", "always"), "ja-easy") == "ずっと すみたい"
    )
