"""Survey definitions: pydantic models for surveys, questions, choices and indicators."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from surveys.answers import Answer
from surveys.expressions import Condition, parse_condition

LANGUAGES: tuple[str, ...] = ("ja", "en", "ja-easy")
DEFAULT_TEXT_MAX_LENGTH = 1000
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
SURVEY_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
CHOICE_ID = re.compile(r"^[a-z0-9][a-z0-9_]*(?:-[a-z0-9_]+)*$")


_parse_cached = lru_cache(maxsize=1024)(parse_condition)


class QuestionType(StrEnum):
    """The kinds of question a survey can ask."""

    SINGLE = "single"
    MULTI = "multi"
    LIKERT = "likert"
    NUMBER = "number"
    TEXT = "text"


CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTI, QuestionType.LIKERT})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_id(value: Any, pattern: re.Pattern[str], rule: str) -> Any:
    """Raise a readable error when an id does not follow its pattern."""
    if isinstance(value, str) and not pattern.match(value):
        raise PydanticCustomError(
            "bad_id", 'invalid id "{value}": {rule}', {"value": value, "rule": rule}
        )
    return value


class Text(_Model):
    """Text in several languages; ``ja`` is required, the others fall back to it."""

    ja: str = Field(min_length=1)
    en: str | None = Field(default=None, min_length=1)
    ja_easy: str | None = Field(default=None, alias="ja-easy", min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _known_languages(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key in data:
                if key not in LANGUAGES and key != "ja_easy":
                    raise PydanticCustomError(
                        "unknown_language",
                        'unknown language "{lang}" (expected ja, en or ja-easy)',
                        {"lang": str(key)},
                    )
        return data

    def text(self, lang: str) -> str:
        """The text in ``lang``, falling back to Japanese."""
        if lang == "en" and self.en:
            return self.en
        if lang == "ja-easy" and self.ja_easy:
            return self.ja_easy
        return self.ja


class Choice(_Model):
    """One answer option; ``other`` asks the resident to specify in a short text."""

    id: str
    label: Text
    other: bool = False

    _id_ok = field_validator("id", mode="before")(
        lambda v: _check_id(v, CHOICE_ID, "use lowercase letters, digits, _ and -")
    )


class Question(_Model):
    """One question of a survey."""

    id: str
    type: QuestionType
    label: Text
    help: Text | None = None
    required: bool = True
    choices: tuple[Choice, ...] | None = None
    min: int | None = None
    max: int | None = None
    max_length: int | None = Field(default=None, ge=1, le=4000)
    relevant: str | None = None

    _id_ok = field_validator("id", mode="before")(
        lambda v: _check_id(v, QUESTION_ID, "use snake_case (a-z, 0-9, _)")
    )

    @property
    def choice_ids(self) -> tuple[str, ...]:
        """The codes of the choices, in order (empty for number and text)."""
        return tuple(choice.id for choice in self.choices or ())

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with this code, if any."""
        return next((c for c in self.choices or () if c.id == choice_id), None)

    @property
    def other_choice(self) -> Choice | None:
        """The "other, please specify" choice, if the question has one."""
        return next((c for c in self.choices or () if c.other), None)

    @property
    def text_max_length(self) -> int:
        """The longest text accepted for a text question."""
        return self.max_length or DEFAULT_TEXT_MAX_LENGTH

    @property
    def min_selections(self) -> int:
        """Fewest choices a multi answer needs (0 when optional and not set)."""
        if self.min is not None:
            return self.min
        return 1 if self.required else 0

    @property
    def max_selections(self) -> int:
        """Most choices a multi answer may carry."""
        return self.max if self.max is not None else len(self.choices or ())

    @property
    def condition(self) -> Condition | None:
        """The parsed skip-logic condition, or None when always asked."""
        return _parse_cached(self.relevant) if self.relevant is not None else None


class Indicator(_Model):
    """A survey indicator: the share of valid answers that count as "yes"."""

    id: str
    label: Text
    question: str
    yes: tuple[str, ...] = Field(min_length=1)
    subgroup: dict[str, tuple[str, ...]] | None = None
    goal: int | None = Field(default=None, ge=1, le=4)

    _id_ok = field_validator("id", mode="before")(
        lambda v: _check_id(v, QUESTION_ID, "use snake_case (a-z, 0-9, _)")
    )

    def applies_to(self, profile: Mapping[str, str | None]) -> bool:
        """Whether a respondent with this profile belongs to the indicator's subgroup."""
        return all(
            profile.get(field) in allowed for field, allowed in (self.subgroup or {}).items()
        )

    def counts_as_yes(self, answer: Answer) -> bool:
        """Whether an answer counts towards the indicator's share."""
        return any(code in self.yes for code in answer.codes)


class Survey(_Model):
    """A survey definition: questions in order, plus the indicators computed from them."""

    id: str
    version: str = Field(min_length=1)
    title: Text
    description: Text | None = None
    questions: tuple[Question, ...]
    indicators: tuple[Indicator, ...] = ()

    _fingerprint: str = PrivateAttr(default="")

    _id_ok = field_validator("id", mode="before")(
        lambda v: _check_id(v, SURVEY_ID, "use lowercase letters, digits, - and _")
    )

    def model_post_init(self, context: Any, /) -> None:
        """Compute the fingerprint once, from the canonical JSON of the definition."""
        self._fingerprint = hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def canonical_json(self) -> str:
        """The definition as canonical JSON; ``Survey.model_validate_json`` reads it back."""
        return json.dumps(
            self.model_dump(mode="json", by_alias=True),
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @property
    def fingerprint(self) -> str:
        """sha256 of the canonical content: equal definitions give equal fingerprints."""
        return self._fingerprint

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError when there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def question_ids(self) -> tuple[str, ...]:
        """Question ids in the order they are asked."""
        return tuple(q.id for q in self.questions)

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id; KeyError when there is none."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)
