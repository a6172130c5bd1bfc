"""The bundled survey and profile load and keep their public contract (ids and codes)."""

from __future__ import annotations

import re

import pytest

from surveys.answers import Answer
from surveys.bundled import (
    UnknownSurveyError,
    bundled_survey_path,
    bundled_surveys,
    load_bundled,
)
from surveys.definition import LANGUAGES, QuestionType, Survey, Text
from surveys.loader import load_survey
from surveys.profile import PROFILE_FIELDS, profile_survey, profile_values


@pytest.fixture(scope="module")
def residency() -> Survey:
    """The bundled residency-livability survey."""
    return load_bundled("residency-livability")


def all_texts(survey: Survey) -> list[Text]:
    """Every label, help, title and description in a survey."""
    texts = [survey.title, *([survey.description] if survey.description else [])]
    for question in survey.questions:
        texts += [question.label, *([question.help] if question.help else [])]
        texts += [choice.label for choice in question.choices or ()]
    texts += [indicator.label for indicator in survey.indicators]
    return texts


def test_bundled_list_and_paths() -> None:
    assert bundled_surveys() == ("residency-livability",)
    path = bundled_survey_path("residency-livability")
    assert path.name == "residency-livability.yaml"
    assert load_survey(path).fingerprint == load_bundled("residency-livability").fingerprint
    with pytest.raises(UnknownSurveyError, match='no bundled survey "nope"'):
        load_bundled("nope")


def test_residency_survey_questions_and_codes(residency: Survey) -> None:
    assert residency.id == "residency-livability"
    assert residency.title.ja == "定住意向・住みやすさ調査"
    assert len(residency.questions) <= 9
    livability = residency.question("livability")
    assert livability.type is QuestionType.LIKERT
    assert livability.choice_ids == (
        "livable",
        "somewhat_livable",
        "neutral",
        "somewhat_unlivable",
        "unlivable",
    )
    assert [c.label.ja for c in livability.choices or ()] == [
        "住みやすい",
        "どちらかといえば住みやすい",
        "どちらともいえない",
        "どちらかといえば住みにくい",
        "住みにくい",
    ]
    intent = residency.question("residency_intent")
    assert intent.type is QuestionType.SINGLE
    assert intent.choice_ids == ("always", "for_now", "prefer_leave", "leave", "unsure")
    assert [c.label.ja for c in intent.choices or ()][:2] == [
        "ずっと住み続けたい",
        "当分は住み続けたい",
    ]
    comment = residency.question("comment")
    assert (comment.type, comment.required, comment.text_max_length) == (
        QuestionType.TEXT,
        False,
        1000,
    )
    assert comment.label.ja.startswith("市政へのご意見・ご要望")


@pytest.mark.parametrize(
    ("question_id", "intents"),
    [("leave_reasons", ("prefer_leave", "leave")), ("stay_reasons", ("always", "for_now"))],
)
def test_reason_questions_follow_intent(
    residency: Survey, question_id: str, intents: tuple[str, ...]
) -> None:
    question = residency.question(question_id)
    assert question.type is QuestionType.MULTI
    assert question.max_selections == 3
    assert question.other_choice is not None and question.other_choice.id == "other"
    assert {"work", "housing", "childcare", "medical", "transport", "shopping"} <= set(
        question.choice_ids
    )
    condition = question.condition
    assert condition is not None
    for code in ("always", "for_now", "prefer_leave", "leave", "unsure"):
        shown = condition.evaluate({"residency_intent": Answer("residency_intent", code)}, {})
        assert shown is (code in intents)


def test_residency_indicators(residency: Survey) -> None:
    assert [i.id for i in residency.indicators] == [
        "residency_intent",
        "livability",
        "youth_residency_intent",
    ]
    intent = residency.indicator("residency_intent")
    assert (intent.question, intent.yes, intent.goal) == (
        "residency_intent",
        ("always", "for_now"),
        2,
    )
    assert intent.label.ja == "住み続けたいと思う市民の割合"
    livable = residency.indicator("livability")
    assert (livable.question, livable.yes, livable.goal) == (
        "livability",
        ("livable", "somewhat_livable"),
        4,
    )
    assert livable.label.ja == "住みやすいと思う市民の割合"
    youth = residency.indicator("youth_residency_intent")
    assert (youth.question, youth.yes, youth.goal) == ("residency_intent", ("always", "for_now"), 4)
    assert youth.subgroup == {"age_band": ("18-19", "20s", "30s")}
    assert youth.label.ja == "「まち」に対する若者の継続居住意向"


def test_youth_indicator_counts_only_young_residents_who_stay(residency: Survey) -> None:
    youth = residency.indicator("youth_residency_intent")
    assert youth.applies_to({"age_band": "30s"})
    assert not youth.applies_to({"age_band": "40s"})
    assert not youth.applies_to({})
    assert youth.counts_as_yes(Answer("residency_intent", "for_now"))
    assert not youth.counts_as_yes(Answer("residency_intent", "unsure"))
    assert not youth.counts_as_yes(Answer("residency_intent", None))


def test_profile_fields_and_codes() -> None:
    survey = profile_survey()
    assert survey.id == "profile"
    assert PROFILE_FIELDS == ("age_band", "sex", "district", "years_lived")
    assert survey.question_ids == PROFILE_FIELDS
    assert profile_values() == {
        "age_band": ("18-19", "20s", "30s", "40s", "50s", "60s", "70plus"),
        "sex": ("male", "female", "no_answer"),
        "district": ("juo", "hokubu", "chubu", "nakasato", "taga", "nanbu", "no_answer"),
        "years_lived": ("under_1", "1-4", "5-9", "10-19", "20plus"),
    }
    district = survey.question("district")
    assert district.choice("juo") is not None and district.choice("juo").label.ja == "十王地区"  # type: ignore[union-attr]


@pytest.mark.parametrize("survey_id", ["residency-livability", "profile"])
def test_every_text_has_all_three_languages(survey_id: str) -> None:
    survey = load_bundled(survey_id)
    for text in all_texts(survey):
        assert text.en and text.ja_easy, text.ja
        assert {text.text(lang) for lang in LANGUAGES} == {text.ja, text.en, text.ja_easy}


def test_text_falls_back_to_japanese() -> None:
    text = Text(ja="住みやすい")
    assert [text.text(lang) for lang in ("ja", "en", "ja-easy", "fr")] == ["住みやすい"] * 4


_UP_TO = re.compile(r"(\d+)\s*つまで|up to (\d+)")
_COUNTED = re.compile(
    r"\d+\s*つ(?!まで)|\b(?:one|two|three|four|five|six|seven|\d+) (?:questions|districts)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("survey_id", ["residency-livability", "profile"])
def test_bundled_texts_never_count_what_the_definition_does_not_have(survey_id: str) -> None:
    survey = load_bundled(survey_id)
    for text in all_texts(survey):
        for words in (text.ja, text.en, text.ja_easy):
            assert not _COUNTED.search(words or ""), words
    for question in survey.questions:
        for words in (question.label.ja, question.label.en, question.label.ja_easy):
            for match in _UP_TO.finditer(words or ""):
                assert int(match.group(1) or match.group(2)) == question.max_selections, words
