"""Themes: within each goal, groups of similar comments found by NMF over TF-IDF of their words,
labelled by class-based TF-IDF (the words most characteristic of a group against the others)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.themes.words import ContentWords

NOTE = (
    "件数は書かれたコメントの数です。コメントを書くのは回答者の一部なので、"
    "市民や回答者に占める割合ではありません。"
)
"""Shown with every theme list: a theme's size counts comments, not residents."""

RANDOM_STATE = 0
LABEL_WORDS = 3
MAX_COMMENTS = 10_000
"""At most this many comments feed one computation: the newest (highest ids). The same comments
always give the same sample, and the time stays within the bench's 10 s on one core."""


@dataclass(frozen=True)
class ThemeComment:
    """A comment as themes take it: masked text, goals (labels win) and the writer's profile."""

    id: int
    masked_text: str
    goals: tuple[str, ...]
    age_band: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class Theme:
    """A recurring topic within a goal."""

    goal: str
    number: int
    label: str
    words: tuple[str, ...]
    size: int
    share: float
    by_age_band: dict[str, int]
    by_district: dict[str, int]
    examples: tuple[ThemeComment, ...]
    comment_ids: tuple[int, ...]


@dataclass(frozen=True)
class GoalThemes:
    """A goal's themes, largest first, and how many of its comments fell into none."""

    goal: str
    comments: int
    themes: tuple[Theme, ...]
    unthemed: int


@dataclass(frozen=True)
class ThemeOptions:
    """How many themes at most, the smallest group that makes one, examples shown per theme."""

    max_themes: int = 10
    min_size: int = 3
    examples: int = 3
    max_comments: int = MAX_COMMENTS


def newest(comments: Sequence[ThemeComment], limit: int = MAX_COMMENTS) -> list[ThemeComment]:
    """The sample themes are computed from: the `limit` newest comments, oldest of them first."""
    return sorted(comments, key=lambda c: c.id)[-limit:] if limit > 0 else []


def sample_note(used: int, total: int) -> str | None:
    """What the page says when older comments were left out of the computation (else None)."""
    if total <= used:
        return None
    return (
        f"コメントが多いため、新しい順に{used:,}件（全{total:,}件のうち）から"
        "テーマを計算しています。それより古いコメントはテーマに含まれません。"
    )


def _given(words: list[str]) -> list[str]:
    """The analyzer of already tokenised comments."""
    return words


def theme_count(comments: int, options: ThemeOptions) -> int:
    """How many groups to look for in a goal's comments: √(n/2), the usual rule of thumb."""
    wanted = round(math.sqrt(comments / 2))
    return max(2, min(options.max_themes, wanted))


def characteristic_words(
    presence: sparse.csr_matrix, groups: np.ndarray, count: int, vocabulary: Sequence[str]
) -> list[tuple[str, ...]]:
    """Each group's most characteristic words by class-based TF-IDF (c-TF-IDF)."""
    membership = sparse.csr_matrix(
        (np.ones(len(groups)), (groups, np.arange(len(groups)))), shape=(count, len(groups))
    )
    per_group = np.asarray((membership @ presence).todense(), dtype=float)
    frequency = per_group / np.maximum(per_group.sum(axis=1, keepdims=True), 1.0)
    average = per_group.sum() / count
    idf = np.log1p(average / np.maximum(per_group.sum(axis=0), 1.0))
    weights = frequency * idf
    found = []
    for row in weights:
        order = sorted(map(int, np.flatnonzero(row)), key=lambda i: (-row[i], vocabulary[i]))
        found.append(tuple(vocabulary[i] for i in order[:LABEL_WORDS]))
    return found


def _tally(values: Iterable[str | None]) -> dict[str, int]:
    """Counts of each category, unknown ones under 'unknown'."""
    return dict(sorted(Counter(value or "unknown" for value in values).items()))


def _goal_themes(
    goal: str, comments: Sequence[ThemeComment], words: Sequence[list[str]], options: ThemeOptions
) -> GoalThemes:
    """The themes of one goal's comments."""
    empty = GoalThemes(goal, len(comments), (), len(comments))
    if len(comments) < 2 * options.min_size:
        return empty
    vectoriser = TfidfVectorizer(analyzer=_given, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        matrix = vectoriser.fit_transform(words)
    except ValueError:
        return empty
    count = min(theme_count(len(comments), options), matrix.shape[1])
    if count < 2:
        return empty
    nmf = NMF(n_components=count, init="nndsvda", random_state=RANDOM_STATE, max_iter=400)
    weights = nmf.fit_transform(matrix)
    groups = weights.argmax(axis=1)
    placed = weights.max(axis=1) > 0
    vocabulary = list(vectoriser.get_feature_names_out())
    presence = (matrix[placed] > 0).astype(float)
    labels = characteristic_words(presence, groups[placed], count, vocabulary)
    themes = []
    for group in range(count):
        members = [int(i) for i in np.flatnonzero(placed & (groups == group))]
        if len(members) < options.min_size or not labels[group]:
            continue
        members.sort(key=lambda i: (-weights[i, group], comments[i].id))
        themes.append((group, members))
    themes.sort(key=lambda item: (-len(item[1]), labels[item[0]]))
    built = tuple(
        _theme(goal, number, labels[group], [comments[i] for i in members], len(comments), options)
        for number, (group, members) in enumerate(themes, start=1)
    )
    return GoalThemes(goal, len(comments), built, len(comments) - sum(t.size for t in built))


def _theme(
    goal: str,
    number: int,
    words: tuple[str, ...],
    members: Sequence[ThemeComment],
    total: int,
    options: ThemeOptions,
) -> Theme:
    """A theme from its members, most typical first."""
    return Theme(
        goal=goal,
        number=number,
        label="・".join(words),
        words=words,
        size=len(members),
        share=len(members) / total,
        by_age_band=_tally(c.age_band for c in members),
        by_district=_tally(c.district for c in members),
        examples=tuple(members[: options.examples]),
        comment_ids=tuple(sorted(c.id for c in members)),
    )


def find_themes(
    comments: Sequence[ThemeComment],
    options: ThemeOptions | None = None,
    analyzer: Callable[[str], list[str]] | None = None,
) -> list[GoalThemes]:
    """The themes of every goal the comments have (a comment counts in each of its goals), of the
    newest `options.max_comments` comments at most."""
    options = options or ThemeOptions()
    if len(comments) > options.max_comments:
        comments = newest(comments, options.max_comments)
    analyse = analyzer or ContentWords()
    words = [analyse(comment.masked_text) for comment in comments]
    by_goal: dict[str, list[int]] = {}
    for index, comment in enumerate(comments):
        for goal in comment.goals:
            by_goal.setdefault(goal, []).append(index)
    return [
        _goal_themes(goal, [comments[i] for i in indices], [words[i] for i in indices], options)
        for goal, indices in sorted(by_goal.items())
    ]
