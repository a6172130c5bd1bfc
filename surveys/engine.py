"""The flow engine: from a survey, the profile and the stored answers, the next step.

Pure and synchronous: no clock, no I/O. The caller stores every answer as it is given and
asks again; submitting after the review is the caller's act.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from surveys.answers import Answer, AnswerValue
from surveys.definition import Question, QuestionType, Survey

__all__ = [
    "OTHER_TEXT_MAX_LENGTH",
    "Answer",
    "AnswerValue",
    "AskOther",
    "AskQuestion",
    "Invalid",
    "Reason",
    "Review",
    "Step",
    "answers_to_drop",
    "is_complete",
    "next_step",
    "previous_question",
    "progress",
    "relevant_questions",
    "render_answer",
    "skip_answer",
    "validate_answer",
    "validate_other_text",
    "with_other_text",
]

Profile = Mapping[str, str | None]
Answers = Mapping[str, Answer]
OTHER_TEXT_MAX_LENGTH = 200
_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True, slots=True)
class AskQuestion:
    """Ask this question; it is question ``number`` of ``total`` relevant ones."""

    question: Question
    number: int
    total: int


@dataclass(frozen=True, slots=True)
class AskOther:
    """The resident picked the question's "other" choice: ask them to specify."""

    question: Question


@dataclass(frozen=True, slots=True)
class Review:
    """Every relevant question is answered: show them for confirmation."""

    items: tuple[tuple[Question, Answer], ...]


Step = AskQuestion | AskOther | Review


class Reason(StrEnum):
    """Why an answer was refused; the bot words it in the resident's language."""

    REQUIRED = "required"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    UNKNOWN_CHOICE = "unknown_choice"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Invalid:
    """A refused answer: the reason and the numbers to show (range, limit, length given)."""

    reason: Reason
    minimum: int | None = None
    maximum: int | None = None
    limit: int | None = None
    given: int | None = None


def relevant_questions(survey: Survey, answers: Answers, profile: Profile) -> list[Question]:
    """Questions the resident is asked given the answers so far, in order.

    A condition only sees answers to questions that are themselves relevant, so a stale
    answer left behind by an edit never switches a later question on.
    """
    relevant: list[Question] = []
    reachable: dict[str, Answer] = {}
    for question in survey.questions:
        condition = question.condition
        if condition is None or condition.evaluate(reachable, profile):
            relevant.append(question)
            if question.id in answers:
                reachable[question.id] = answers[question.id]
    return relevant


def _needs_other_text(question: Question, answer: Answer) -> bool:
    """Whether the answer picked the "other" choice without specifying it."""
    other = question.other_choice
    return other is not None and other.id in answer.codes and not answer.other_text


def next_step(survey: Survey, answers: Answers, profile: Profile) -> Step:
    """The next thing to show: a question, the "other" text prompt, or the review."""
    relevant = relevant_questions(survey, answers, profile)
    items: list[tuple[Question, Answer]] = []
    for number, question in enumerate(relevant, start=1):
        answer = answers.get(question.id)
        if answer is None:
            return AskQuestion(question, number, len(relevant))
        if _needs_other_text(question, answer):
            return AskOther(question)
        items.append((question, answer))
    return Review(tuple(items))


def is_complete(survey: Survey, answers: Answers, profile: Profile) -> bool:
    """Whether every relevant question is answered (the response can be submitted)."""
    return isinstance(next_step(survey, answers, profile), Review)


def progress(survey: Survey, answers: Answers, profile: Profile) -> tuple[int, int]:
    """(answered, total) over the questions relevant given the current answers."""
    relevant = relevant_questions(survey, answers, profile)
    done = sum(1 for q in relevant if q.id in answers and not _needs_other_text(q, answers[q.id]))
    return done, len(relevant)


def previous_question(
    survey: Survey, answers: Answers, profile: Profile, current_question_id: str | None
) -> Question | None:
    """The question the back button leads to (None = from the review); None at the start."""
    relevant = relevant_questions(survey, answers, profile)
    if current_question_id is None:
        return relevant[-1] if relevant else None
    order = survey.question_ids
    if current_question_id not in order:
        return None
    position = order.index(current_question_id)
    earlier = [q for q in relevant if order.index(q.id) < position]
    return earlier[-1] if earlier else None


def answers_to_drop(survey: Survey, answers: Answers, profile: Profile) -> list[str]:
    """Ids of stored answers that skip logic no longer reaches (or unknown to the survey)."""
    keep = {q.id for q in relevant_questions(survey, answers, profile)}
    return [question_id for question_id in answers if question_id not in keep]


def skip_answer(question: Question) -> Answer | Invalid:
    """The answer for skipping a question; required questions cannot be skipped."""
    if question.required:
        return Invalid(Reason.REQUIRED)
    return Answer(question.id, None)


def validate_answer(question: Question, raw: str | Sequence[str] | None) -> Answer | Invalid:
    """Check a resident's input: a choice code (or codes for multi), or typed text."""
    if raw is None:
        return skip_answer(question)
    if question.type is QuestionType.MULTI:
        codes = (raw,) if isinstance(raw, str) else tuple(raw)
        return _validate_multi(question, codes)
    if not isinstance(raw, str):
        return Invalid(Reason.UNKNOWN_CHOICE)
    if question.type is QuestionType.NUMBER:
        return _validate_number(question, raw)
    if question.type is QuestionType.TEXT:
        return _validate_text(question, raw)
    if raw not in question.choice_ids:
        return Invalid(Reason.UNKNOWN_CHOICE)
    return Answer(question.id, raw)


def _validate_multi(question: Question, codes: tuple[str, ...]) -> Answer | Invalid:
    """Choices known, count within min and max; codes kept in the survey's order."""
    if any(code not in question.choice_ids for code in codes):
        return Invalid(Reason.UNKNOWN_CHOICE)
    chosen = tuple(code for code in question.choice_ids if code in codes)
    low, high = question.min_selections, question.max_selections
    if not chosen and not question.required:
        return Answer(question.id, None)
    if not chosen and low == 0:
        return Invalid(Reason.REQUIRED)
    if len(chosen) < low:
        return Invalid(Reason.TOO_FEW, minimum=low, maximum=high, given=len(chosen))
    if len(chosen) > high:
        return Invalid(Reason.TOO_MANY, minimum=low, maximum=high, given=len(chosen))
    return Answer(question.id, chosen)


def _validate_number(question: Question, raw: str) -> Answer | Invalid:
    """An integer (full-width digits accepted) within the question's range."""
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
    if not text:
        return Invalid(Reason.EMPTY)
    if not _INTEGER.match(text):
        return Invalid(Reason.NOT_A_NUMBER, minimum=question.min, maximum=question.max)
    value = int(text)
    too_low = question.min is not None and value < question.min
    too_high = question.max is not None and value > question.max
    if too_low or too_high:
        return Invalid(Reason.OUT_OF_RANGE, minimum=question.min, maximum=question.max)
    return Answer(question.id, value)


def _validate_text(question: Question, raw: str) -> Answer | Invalid:
    """Stripped text, not empty, within the question's length limit."""
    text = raw.strip()
    if not text:
        return Invalid(Reason.EMPTY)
    limit = question.text_max_length
    if len(text) > limit:
        return Invalid(Reason.TOO_LONG, limit=limit, given=len(text))
    return Answer(question.id, text)


def validate_other_text(raw: str) -> str | Invalid:
    """The stripped "other, please specify" text, short and not empty."""
    text = raw.strip()
    if not text:
        return Invalid(Reason.EMPTY)
    if len(text) > OTHER_TEXT_MAX_LENGTH:
        return Invalid(Reason.TOO_LONG, limit=OTHER_TEXT_MAX_LENGTH, given=len(text))
    return text


def with_other_text(answer: Answer, other_text: str) -> Answer:
    """The same answer with its "other" text filled in."""
    return Answer(answer.question_id, answer.value, other_text)


_SKIPPED = {"ja": "（回答なし）", "en": "(skipped)", "ja-easy": "（こたえない）"}
_SEPARATOR = {"ja": "、", "en": ", ", "ja-easy": "、"}


def render_answer(question: Question, answer: Answer, lang: str) -> str:
    """The answer as the resident reads it on the review screen."""
    if answer.value is None:
        return _SKIPPED.get(lang, _SKIPPED["ja"])
    if isinstance(answer.value, int):
        return str(answer.value)
    if question.type is QuestionType.TEXT:
        return str(answer.value)
    labels: list[str] = []
    for code in answer.codes:
        choice = question.choice(code)
        label = choice.label.text(lang) if choice is not None else code
        if choice is not None and choice.other and answer.other_text:
            label += f" ({answer.other_text})" if lang == "en" else f"（{answer.other_text}）"
        labels.append(label)
    return _SEPARATOR.get(lang, "、").join(labels)
