"""Rules a survey definition must follow beyond its shape (ids, choices, skip logic, indicators)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from surveys.definition import CHOICE_TYPES, Indicator, Question, QuestionType, Survey
from surveys.expressions import KEYWORDS, ConditionSyntaxError, parse_condition

Path = tuple[str | int, ...]
# The allowed codes of each profile field (age_band → 18-19, 20s, …), handed in by the caller.
ProfileValues = Mapping[str, tuple[str, ...]]


class DefinitionRuleError(Exception):
    """A broken rule, with the path of the field that breaks it."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def check_survey(survey: Survey, profile: ProfileValues) -> None:
    """Raise DefinitionRuleError for the first rule the survey breaks."""
    for path, message in survey_problems(survey, profile):
        raise DefinitionRuleError(path, message)


def survey_problems(survey: Survey, profile: ProfileValues) -> Iterator[tuple[Path, str]]:
    """Every broken rule, in file order, as (field path, message)."""
    if not survey.questions:
        yield ("questions",), "a survey needs at least one question"
    seen: dict[str, int] = {}
    for index, question in enumerate(survey.questions):
        at: Path = ("questions", index)
        if question.id in seen:
            yield (*at, "id"), f'duplicate id "{question.id}"'
        elif question.id in KEYWORDS:
            yield (*at, "id"), f'id "{question.id}" is a reserved word'
        yield from _question_problems(question, at)
        yield from _relevant_problems(survey, question, at, seen, profile)
        seen.setdefault(question.id, index)
    indicator_ids: set[str] = set()
    for index, indicator in enumerate(survey.indicators):
        at = ("indicators", index)
        if indicator.id in indicator_ids:
            yield (*at, "id"), f'duplicate id "{indicator.id}"'
        indicator_ids.add(indicator.id)
        yield from _indicator_problems(survey, indicator, at, profile)


def _question_problems(question: Question, at: Path) -> Iterator[tuple[Path, str]]:
    """Rules on one question's own fields."""
    kind = question.type.value
    choices = question.choices or ()
    if question.type in CHOICE_TYPES:
        if len(choices) < 2 and question.type is not QuestionType.LIKERT:
            yield (*at, "choices"), f"{kind} questions need at least 2 choices"
        if question.type is QuestionType.LIKERT and len(choices) != 5:
            yield (*at, "choices"), f"likert questions need exactly 5 choices, found {len(choices)}"
    elif question.choices is not None:
        yield (*at, "choices"), f"{kind} questions take no choices"
    ids: set[str] = set()
    others = 0
    for index, choice in enumerate(choices):
        if choice.id in ids:
            yield (*at, "choices", index, "id"), f'duplicate id "{choice.id}"'
        ids.add(choice.id)
        if choice.other:
            others += 1
            if question.type not in (QuestionType.SINGLE, QuestionType.MULTI):
                yield (
                    (*at, "choices", index, "other"),
                    "only single and multi questions can have other",
                )
            elif others > 1:
                yield (*at, "choices", index, "other"), "a question can have only one other choice"
    yield from _limit_problems(question, at)


def _limit_problems(question: Question, at: Path) -> Iterator[tuple[Path, str]]:
    """Rules on min, max and max_length."""
    kind = question.type.value
    if question.type not in (QuestionType.MULTI, QuestionType.NUMBER):
        for name in ("min", "max"):
            if getattr(question, name) is not None:
                yield (*at, name), f"{kind} questions take no {name} (only multi and number do)"
    if question.max_length is not None and question.type is not QuestionType.TEXT:
        yield (*at, "max_length"), f"{kind} questions take no max_length (only text does)"
    low, high = question.min, question.max
    if low is not None and high is not None and low > high:
        yield (*at, "min"), f"min ({low}) is greater than max ({high})"
    if question.type is QuestionType.MULTI:
        count = len(question.choices or ())
        if low is not None and low < 0:
            yield (*at, "min"), f"min ({low}) cannot be negative"
        if high is not None and high < 1:
            yield (*at, "max"), f"max ({high}) must be at least 1"
        if high is not None and high > count >= 2:
            yield (*at, "max"), f"max ({high}) is more than the {count} choices"
        if low is not None and low > count >= 2:
            yield (*at, "min"), f"min ({low}) is more than the {count} choices"


def _relevant_problems(
    survey: Survey, question: Question, at: Path, earlier: dict[str, int], profile: ProfileValues
) -> Iterator[tuple[Path, str]]:
    """Rules on a question's skip-logic condition."""
    if question.relevant is None:
        return
    where = (*at, "relevant")
    try:
        condition = parse_condition(question.relevant)
    except ConditionSyntaxError as error:
        yield where, f"syntax error at column {error.column}: {error.message}"
        return
    ids = set(survey.question_ids)
    for compare in condition.comparisons:
        name = compare.name
        if name.startswith("profile."):
            yield from _profile_problems(
                name.removeprefix("profile."), compare.values, where, profile
            )
            continue
        if name == question.id:
            yield where, f'"{name}" refers to the question itself'
        elif name not in ids:
            yield where, f'unknown question "{name}"'
        elif name not in earlier:
            yield where, f'"{name}" is asked later; conditions may only use earlier questions'
        else:
            target = survey.questions[earlier[name]]
            if target.choices:
                for value in compare.values:
                    if str(value) not in target.choice_ids:
                        yield where, f'question "{name}" has no choice "{value}"'


def _profile_problems(
    field: str, values: tuple[str | int, ...], where: Path, profile: ProfileValues
) -> Iterator[tuple[Path, str]]:
    """Rules on a reference to a profile field and its values."""
    if field not in profile:
        yield where, f'unknown profile field "{field}" (expected {", ".join(profile)})'
        return
    allowed = profile[field]
    for value in values:
        if str(value) not in allowed:
            yield where, f'profile field {field} has no value "{value}"'


def _indicator_problems(
    survey: Survey, indicator: Indicator, at: Path, profile: ProfileValues
) -> Iterator[tuple[Path, str]]:
    """Rules on one indicator: its question, its yes codes and its subgroup."""
    if indicator.question not in survey.question_ids:
        yield (*at, "question"), f'unknown question "{indicator.question}"'
    else:
        question = survey.question(indicator.question)
        if not question.choices:
            yield (*at, "question"), f'question "{question.id}" has no choices to count'
        else:
            for index, code in enumerate(indicator.yes):
                if code not in question.choice_ids:
                    yield (*at, "yes", index), f'question "{question.id}" has no choice "{code}"'
    for field, allowed in (indicator.subgroup or {}).items():
        if field not in profile:
            yield (
                (*at, "subgroup", field),
                f'unknown profile field "{field}" (expected {", ".join(profile)})',
            )
            continue
        known = profile[field]
        for index, value in enumerate(allowed):
            if value not in known:
                yield (
                    (*at, "subgroup", field, index),
                    f'profile field {field} has no value "{value}"',
                )
