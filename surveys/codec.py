"""The one stored form of answers: a code, `;`-joined codes, a decimal number, text, or None.

Every reader and writer of stored answers (the conversation, the step lanes, the importer,
exports, reports) goes through these functions, so the encoding lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from surveys.answers import Answer, AnswerValue

if TYPE_CHECKING:
    from surveys.definition import Question

CODE_SEPARATOR = ";"


def split_codes(value: str | None) -> tuple[str, ...]:
    """The codes of a stored value (`"a;b"` → `("a", "b")`); empty parts and None give none."""
    return tuple(code for code in (value or "").split(CODE_SEPARATOR) if code)


def join_codes(codes: Iterable[str]) -> str:
    """Codes in their stored form, in the order given (`("a", "b")` → `"a;b"`)."""
    return CODE_SEPARATOR.join(codes)


def encode_value(value: AnswerValue) -> str | None:
    """The stored form of an answer's value (None for a skipped question)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return join_codes(value)
    return str(value)


def decode_value(question_type: str, value: str | None) -> AnswerValue:
    """A stored value read back for a question of this type (`single`, `multi`, `number`, …);
    a number that does not parse reads as unanswered."""
    if value is None:
        return None
    if question_type == "multi":
        return split_codes(value)
    if question_type == "number":
        try:
            return int(value)
        except ValueError:
            return None
    return value


def encode(answer: Answer) -> tuple[str | None, str | None]:
    """The stored (value, other_text) of an answer."""
    return encode_value(answer.value), answer.other_text


def decode(question: Question, value: str | None, other_text: str | None = None) -> Answer:
    """The engine's Answer to this question from its stored (value, other_text)."""
    return Answer(question.id, decode_value(question.type.value, value), other_text)
