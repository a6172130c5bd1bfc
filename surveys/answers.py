"""A resident's answer to one question, as the engine and skip logic see it."""

from __future__ import annotations

from dataclasses import dataclass

AnswerValue = str | tuple[str, ...] | int | None


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: a choice code, codes (multi), an integer, text, or None when skipped."""

    question_id: str
    value: AnswerValue
    other_text: str | None = None

    @property
    def skipped(self) -> bool:
        """True when the resident skipped this (optional) question."""
        return self.value is None

    @property
    def codes(self) -> tuple[str, ...]:
        """The chosen choice codes (empty for skipped, number and text answers)."""
        if isinstance(self.value, tuple):
            return self.value
        if isinstance(self.value, str):
            return (self.value,)
        return ()


def encode_value(value: AnswerValue) -> str | None:
    """The canonical stored form: a code, `;`-joined codes, a decimal number, text, or None."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


def decode_value(question_type: str, stored: str | None) -> AnswerValue:
    """Read a stored value back for a question of the given type (`single`, `multi`, …)."""
    if stored is None:
        return None
    if question_type == "multi":
        return tuple(code for code in stored.split(";") if code)
    if question_type == "number":
        return int(stored)
    return stored
