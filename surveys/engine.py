"""The flow engine: from a survey, the profile and the stored answers, the next step.

Pure and synchronous: no clock, no I/O. The caller stores every answer as it is given and
asks again; submitting after the review is the caller's act.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from surveys.answers import Answer, AnswerValue
from surveys.definition import Question, QuestionType, Survey
from surveys.validation import (
    OTHER_TEXT_MAX_LENGTH,
    Invalid,
    Reason,
    choice_from_text,
    skip_answer,
    validate_answer,
    validate_other_text,
    with_other_text,
)

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
    "choice_from_text",
    "is_complete",
    "next_step",
    "previous_question",
    "progress",
    "question_count",
    "relevant_questions",
    "render_answer",
    "skip_answer",
    "validate_answer",
    "validate_other_text",
    "with_other_text",
]

Profile = Mapping[str, str | None]
Answers = Mapping[str, Answer]


_DECIDING_TYPES = frozenset({QuestionType.SINGLE, QuestionType.LIKERT})
_MAX_OUTCOMES = 256
_MAX_CACHED_SURVEYS = 32
_UNANSWERED = object()
_COUNTING: dict[int, _Counting] = {}


@dataclass(frozen=True, slots=True)
class AskQuestion:
    """Ask this question, question ``number`` of between ``fewest`` and ``most`` the resident
    will see whatever they answer next (both None when that cannot be told in advance)."""

    question: Question
    number: int
    fewest: int | None
    most: int | None

    @property
    def total(self) -> int | None:
        """How many questions the resident will see, when the answers so far settle it."""
        return self.fewest if self.fewest == self.most else None


@dataclass(frozen=True, slots=True)
class AskOther:
    """The resident picked the question's "other" choice: ask them to specify."""

    question: Question


@dataclass(frozen=True, slots=True)
class Review:
    """Every relevant question is answered: show them for confirmation."""

    items: tuple[tuple[Question, Answer], ...]


Step = AskQuestion | AskOther | Review


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
            fewest, most = _count_range(survey, answers, profile, relevant, question)
            return AskQuestion(question, number, fewest, most)
        if _needs_other_text(question, answer):
            return AskOther(question)
        items.append((question, answer))
    return Review(tuple(items))


def question_count(
    survey: Survey, answers: Answers, profile: Profile
) -> tuple[int | None, int | None]:
    """The fewest and most questions the resident can see, over every way they may answer
    the questions skip logic still depends on; (None, None) when that cannot be told."""
    relevant = relevant_questions(survey, answers, profile)
    current = next((q for q in relevant if q.id not in answers), None)
    return _count_range(survey, answers, profile, relevant, current)


def _count_range(
    survey: Survey,
    answers: Answers,
    profile: Profile,
    relevant: list[Question],
    current: Question | None,
) -> tuple[int | None, int | None]:
    """question_count, given the relevant questions and the current one (remembered: it
    only depends on the answers and profile fields that conditions read)."""
    if current is None:
        return len(relevant), len(relevant)
    counting = _counting(survey)
    key = (
        current.id,
        tuple(answers[n].value if n in answers else _UNANSWERED for n in counting.questions),
        tuple(profile.get(field) for field in counting.profile_fields),
    )
    found = counting.ranges.get(key)
    if found is None:
        found = counting.ranges[key] = _enumerate_counts(survey, answers, profile, current)
    return found


def _enumerate_counts(
    survey: Survey, answers: Answers, profile: Profile, current: Question
) -> tuple[int | None, int | None]:
    """Count the relevant questions for every way of answering the deciding questions."""
    names = _counting(survey).questions
    start = survey.question_ids.index(current.id)
    deciding = [q for q in survey.questions[start:] if q.id in names and q.id not in answers]
    if any(question.type not in _DECIDING_TYPES for question in deciding):
        return None, None
    options = [_possible_answers(question) for question in deciding]
    if math.prod(len(possible) for possible in options) > _MAX_OUTCOMES:
        return None, None
    counts = [
        len(relevant_questions(survey, {**answers, **{a.question_id: a for a in chosen}}, profile))
        for chosen in itertools.product(*options)
    ]
    return min(counts), max(counts)


@dataclass(frozen=True, slots=True)
class _Counting:
    """What counting a survey's questions needs, worked out once per definition."""

    survey: Survey  # held so that its id() is not reused while cached
    questions: tuple[str, ...]
    profile_fields: tuple[str, ...]
    ranges: dict[tuple[object, ...], tuple[int | None, int | None]]


def _counting(survey: Survey) -> _Counting:
    """The survey's counting facts (a few definitions are in use at a time)."""
    counting = _COUNTING.get(id(survey))
    if counting is None:
        if len(_COUNTING) >= _MAX_CACHED_SURVEYS:
            _COUNTING.clear()
        names = sorted(
            {
                name
                for question in survey.questions
                if question.condition is not None
                for name in question.condition.names
            }
        )
        questions = tuple(n for n in names if not n.startswith("profile."))
        fields = tuple(n.removeprefix("profile.") for n in names if n.startswith("profile."))
        counting = _COUNTING[id(survey)] = _Counting(survey, questions, fields, {})
    return counting


def _possible_answers(question: Question) -> list[Answer]:
    """Every answer a single or likert question can get (skipping too when optional)."""
    possible = [Answer(question.id, code) for code in question.choice_ids]
    return possible if question.required else [*possible, Answer(question.id, None)]


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
