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
