"""Checking a resident's input against a question: choices, numbers, text, "other" details.

Pure: the flow engine (surveys.engine) re-exports these for its callers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from surveys.answers import Answer
from surveys.definition import Question, QuestionType

OTHER_TEXT_MAX_LENGTH = 200
_INTEGER = re.compile(r"^[+-]?\d+$")
_BRACKETS = frozenset("「」『』\"'.。")


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


def choice_from_text(question: Question, raw: str) -> str | None:
    """The choice a resident typed instead of tapping: its number (1 = the first button) or
    its label in any language, width, case and spacing aside; None when it names none."""
    typed = _comparable(raw)
    choices = question.choices or ()
    if typed.isdigit():
        index = int(typed) - 1
        return choices[index].id if 0 <= index < len(choices) else None
    for choice in choices:
        label = choice.label
        if typed in {_comparable(text) for text in (label.ja, label.en, label.ja_easy) if text}:
            return choice.id
    return None


def _comparable(text: str) -> str:
    """Text as typed choices are compared: NFKC, case-folded, without spaces or brackets."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and c not in _BRACKETS)


def with_other_text(answer: Answer, other_text: str) -> Answer:
    """The same answer with its "other" text filled in."""
    return Answer(answer.question_id, answer.value, other_text)
