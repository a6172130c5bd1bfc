"""One cell of an import CSV as a stored value: codes or labels, numbers, text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from surveys.codec import CODE_SEPARATOR, encode_value
from surveys.definition import Question, QuestionType
from surveys.engine import Invalid, Reason, validate_answer, validate_other_text


class CellError(ValueError):
    """A cell that cannot be stored; the message says what is allowed (never the free text)."""


def normalise(text: str) -> str:
    """A label as typed or saved by Excel, reduced to compare with the survey's labels."""
    # NFKC folds full-width letters and brackets; CP932 gives 〜 as U+FF5E (NFKC: "~"), the
    # survey writes U+301C, so both become "~". Spaces of the easy-Japanese labels are optional.
    folded = unicodedata.normalize("NFKC", text).replace("〜", "~").casefold()
    return "".join(folded.split())


@dataclass(frozen=True)
class ChoiceReader:
    """Reads the choices of one question (or profile field) by code or by label."""

    question: Question
    by_label: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, question: Question) -> ChoiceReader:
        """Every label of every language, except a label two choices share."""
        names: dict[str, str] = {}
        shared: set[str] = set()
        for choice in question.choices or ():
            label = choice.label
            for text in (label.ja, label.en, label.ja_easy):
                if text is None:
                    continue
                key = normalise(text)
                if names.setdefault(key, choice.id) != choice.id:
                    shared.add(key)
        return cls(question, {key: code for key, code in names.items() if key not in shared})

    def code(self, cell: str) -> str:
        """The choice code a cell names; CellError listing the allowed values otherwise."""
        if cell in self.question.choice_ids:
            return cell
        found = self.by_label.get(normalise(cell))
        if found is None:
            raise CellError(f'unknown value "{cell}"; allowed: {self.allowed()}')
        return found

    def allowed(self) -> str:
        """`code (ラベル), …` for every choice."""
        return ", ".join(f"{c.id} ({c.label.ja})" for c in self.question.choices or ())


def _invalid_message(invalid: Invalid, cell: str) -> str:
    """What a refused cell breaks, in the staff's words."""
    reason = invalid.reason
    if reason is Reason.NOT_A_NUMBER:
        return f'"{cell}" is not a whole number{_range(invalid)}'
    if reason is Reason.OUT_OF_RANGE:
        return f'"{cell}" is outside the allowed range{_range(invalid)}'
    if reason is Reason.TOO_LONG:
        return f"text of {invalid.given} characters; at most {invalid.limit}"
    if reason is Reason.TOO_MANY:
        return f"{invalid.given} choices; at most {invalid.maximum}"
    if reason is Reason.TOO_FEW:
        return f"{invalid.given} choices; at least {invalid.minimum}"
    return f"not allowed ({reason.value})"


def _range(invalid: Invalid) -> str:
    """` (allowed: 0 to 120)` when the question has bounds."""
    low, high = invalid.minimum, invalid.maximum
    if low is None and high is None:
        return ""
    return f" (allowed: {'' if low is None else low} to {'' if high is None else high})"


def choice_codes(reader: ChoiceReader, cell: str) -> str | tuple[str, ...]:
    """A single code, or the codes of a multi cell (`;`-separated) without repeats."""
    if reader.question.type is not QuestionType.MULTI:
        return reader.code(cell)
    parts = [part for part in normalise_separators(cell).split(CODE_SEPARATOR) if part.strip()]
    codes = [reader.code(part.strip()) for part in parts]
    if len(set(codes)) != len(codes):
        raise CellError("a choice is given twice")
    return tuple(codes)


def normalise_separators(cell: str) -> str:
    """Full-width semicolons (typed with a Japanese input method) as `;`."""
    return cell.replace("；", CODE_SEPARATOR)


def answer_value(question: Question, reader: ChoiceReader | None, cell: str) -> str | None:
    """A non-empty cell as the stored value, checked by the survey engine's own rules."""
    raw: str | tuple[str, ...] = cell if reader is None else choice_codes(reader, cell)
    checked = validate_answer(question, raw)
    if isinstance(checked, Invalid):
        raise CellError(_invalid_message(checked, cell))
    return encode_value(checked.value)


def other_text(cell: str) -> str:
    """An 「その他」 text, as short as the chat allows."""
    checked = validate_other_text(cell)
    if isinstance(checked, Invalid):
        raise CellError(_invalid_message(checked, cell))
    return checked
