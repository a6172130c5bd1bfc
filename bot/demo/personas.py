"""Simulated residents: varied profiles, answers and comments with realistic proportions."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from surveys.definition import Question, QuestionType, Survey
from surveys.profile import profile_survey

# Weights per question id and choice id; questions not listed get equal weights.
WEIGHTS: dict[str, dict[str, float]] = {
    "age_band": {"18-19": 3, "20s": 10, "30s": 17, "40s": 20, "50s": 19, "60s": 16, "70plus": 15},
    "sex": {"male": 48, "female": 49, "no_answer": 3},
    # roughly the districts' shares of Hitachi's population
    "district": {
        "juo": 6,
        "hokubu": 15,
        "chubu": 21,
        "nakasato": 1,
        "taga": 31,
        "nanbu": 24,
        "no_answer": 2,
    },
    "years_lived": {"under_1": 4, "1-4": 10, "5-9": 10, "10-19": 16, "20plus": 60},
    "livability": {
        "livable": 20,
        "somewhat_livable": 38,
        "neutral": 20,
        "somewhat_unlivable": 15,
        "unlivable": 7,
    },
    "residency_intent": {"always": 36, "for_now": 30, "prefer_leave": 12, "leave": 6, "unsure": 16},
    "leave_reasons": {
        "work": 30,
        "transport": 28,
        "shopping": 20,
        "roads": 12,
        "culture": 14,
        "medical": 10,
        "housing": 8,
        "family": 12,
        "childcare": 5,
        "education": 5,
        "welfare": 4,
        "disaster_safety": 4,
        "community": 4,
        "other": 3,
    },
    "stay_reasons": {
        "housing": 34,
        "family": 30,
        "nature": 26,
        "work": 22,
        "community": 12,
        "shopping": 10,
        "disaster_safety": 8,
        "culture": 8,
        "medical": 8,
        "childcare": 6,
        "education": 5,
        "transport": 4,
        "welfare": 4,
        "other": 3,
    },
    "transport_satisfaction": {
        "satisfied": 8,
        "somewhat_satisfied": 22,
        "neutral": 27,
        "somewhat_dissatisfied": 26,
        "dissatisfied": 17,
    },
}
YOUNG = frozenset({"18-19", "20s"})
COMMENT_SHARE = 0.45
OTHER_TEXT = "その他の理由があります"


@dataclass(frozen=True)
class Persona:
    """One simulated resident: Telegram user, intended answers (choice ids) and a comment."""

    user_id: int
    first_name: str
    choices: Mapping[str, tuple[str, ...]]
    comment: str | None


@cache
def demo_comments() -> tuple[str, ...]:
    """The realistic comments bundled with the demo (invented, some with names to mask)."""
    text = (files("bot.demo") / "data" / "comments.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def _weights(question: Question, profile: Mapping[str, tuple[str, ...]]) -> list[float]:
    """The weight of each choice of a question for this resident (young people leave more)."""
    table = WEIGHTS.get(question.id, {})
    ids = [choice.id for choice in question.choices or ()]
    weights = [float(table.get(choice, 0 if table else 1)) for choice in ids]
    if question.id == "residency_intent" and set(profile.get("age_band", ())) & YOUNG:
        boost = {"prefer_leave": 2.0, "leave": 2.0, "always": 0.5}
        weights = [w * boost.get(choice, 1.0) for w, choice in zip(weights, ids, strict=True)]
    if not any(weights):
        weights = [1.0] * len(ids)
    return weights


def choose(
    question: Question, rng: random.Random, picked: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """Choice ids for one question: one for single and likert, one to `max` for multi."""
    if question.type is QuestionType.NUMBER:
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else max(low, 10)
        return (str(rng.randint(low, high)),)
    choices = question.choices or ()
    if not choices:
        return ()
    ids = [choice.id for choice in choices]
    weights = _weights(question, picked)
    if question.type is not QuestionType.MULTI:
        return (rng.choices(ids, weights)[0],)
    upper = min(question.max or len(ids), len(ids), 3)
    lower = max(question.min or 1, 1)
    count = rng.randint(lower, max(lower, upper))
    chosen: list[str] = []
    pool = list(zip(ids, weights, strict=True))
    while len(chosen) < count and pool:
        pick = rng.choices([i for i, _ in pool], [w or 0.01 for _, w in pool])[0]
        chosen.append(pick)
        pool = [(i, w) for i, w in pool if i != pick]
    return tuple(sorted(chosen, key=ids.index))


def make_personas(
    survey: Survey,
    count: int,
    *,
    seed: int = 2025,
    first_user_id: int = 700_001,
    comments: Sequence[str] | None = None,
) -> list[Persona]:
    """`count` residents with answers to every profile and survey question."""
    rng = random.Random(seed)
    pool = list(comments if comments is not None else demo_comments())
    questions = [*profile_survey().questions, *survey.questions]
    people = []
    for index in range(count):
        picked: dict[str, tuple[str, ...]] = {}
        for question in questions:
            picked[question.id] = choose(question, rng, picked)
        comment = rng.choice(pool) if pool and rng.random() < COMMENT_SHARE else None
        people.append(Persona(first_user_id + index, f"住民{index + 1}", picked, comment))
    return people
