"""The console's comment table as one statement: filters, sorts, seek cursors, records.

Pages are keyset (seek) pages: each page continues after the last row of the previous one, so
page 2,000 of 100,000 comments costs what page 1 costs. The goals shown and filtered on are the
effective ones: an analyst's latest label wins over the classifier.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)

from storage.models import Answer, Comment, CommentHide, CommentLabel, Response
from storage.repositories._base import code_pattern, holds_code, padded_codes
from surveys.codec import split_codes

# Core columns: the table's rows are plain tuples, never ORM objects. Its statement is built once
# per shape of filters (table_statement): building and keying it on every page cost more than
# the query itself on PostgreSQL (bench/console_bench.py).
_COMMENTS = Comment.__table__.c
_LABELS = CommentLabel.__table__.c
_HIDES = CommentHide.__table__.c
_ANSWERS = Answer.__table__.c
_RESPONSES = Response.__table__.c
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class CommentSort(StrEnum):
    """How the comment table is ordered."""

    NEWEST = "newest"
    OLDEST = "oldest"
    LEAST_CONFIDENT = "least_confident"
    MOST_CONFIDENT = "most_confident"


class CursorError(ValueError):
    """A page cursor that this sort did not produce."""


@dataclass(frozen=True)
class CommentFilter:
    """What an analyst narrowed the table to; None or False means no narrowing."""

    wave_id: int | None = None
    goal: str | None = None
    unsure: bool = False
    unreviewed: bool = False
    min_confidence: float | None = None
    max_confidence: float | None = None
    district: str | None = None
    age_band: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    ids: tuple[int, ...] | None = None
    include_hidden: bool = True


@dataclass(frozen=True)
class CommentRow:
    """One line of the comment table (masked text only)."""

    id: int
    wave_id: int
    masked_text: str
    goals: tuple[str, ...]
    classifier_goals: tuple[str, ...]
    primary_goal: str | None
    confidence: float | None
    needs_review: bool
    labeled_at: datetime | None
    age_band: str | None
    district: str | None
    created_at: datetime
    hidden_reason: str | None


@dataclass(frozen=True)
class CommentPage:
    """A page of rows and the cursor of the next page (None on the last page)."""

    rows: tuple[CommentRow, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class LabelChange:
    """One recorded change of a comment's goals: who, when, from, to."""

    comment_id: int
    previous: tuple[str, ...] | None
    goals: tuple[str, ...]
    by: int
    at: datetime


@dataclass(frozen=True)
class ThemeSource:
    """A visible comment as themes need it: its text, effective goals and profile."""

    id: int
    masked_text: str
    goals: tuple[str, ...]
    age_band: str | None
    district: str | None


def latest_label() -> Any:
    """The comment's latest label goals, as a correlated scalar subquery."""
    return (
        select(_LABELS.goals)
        .where(_LABELS.comment_id == _COMMENTS.id)
        .order_by(_LABELS.id.desc())
        .limit(1)
        .correlate(Comment.__table__)
        .scalar_subquery()
    )


def has_goal(effective: Any, goal: str) -> ColumnElement[bool]:
    """Whether the stored goals hold this goal."""
    return holds_code(effective, goal)


def _escape_like(text: str) -> str:
    """A LIKE pattern matching the text literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_CONDITIONS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "wave": lambda label: _COMMENTS.wave_id == bindparam("wave"),
    "goal": lambda label: padded_codes(func.coalesce(label, _COMMENTS.goals)).like(
        bindparam("goal")
    ),
    "min": lambda label: _COMMENTS.confidence >= bindparam("min"),
    "max": lambda label: _COMMENTS.confidence <= bindparam("max"),
    "district": lambda label: _RESPONSES.district == bindparam("district"),
    "age": lambda label: _RESPONSES.age_band == bindparam("age"),
    "since": lambda label: _COMMENTS.created_at >= bindparam("since"),
    "until": lambda label: _COMMENTS.created_at < bindparam("until"),
    "text": lambda label: _COMMENTS.masked_text.like(bindparam("text"), escape="\\"),
    "ids": lambda label: _COMMENTS.id.in_(bindparam("ids", expanding=True)),
}
"""Each filter's WHERE clause over bound parameters named like the filter."""


def filter_values(filters: CommentFilter) -> dict[str, Any]:
    """The bound parameters of a filter (the filters that are set)."""
    values = {
        "wave": filters.wave_id,
        "goal": None if filters.goal is None else code_pattern(filters.goal),
        "min": filters.min_confidence,
        "max": filters.max_confidence,
        "district": filters.district,
        "age": filters.age_band,
        "since": filters.since,
        "until": filters.until,
        "text": _escape_like(filters.text) if filters.text else None,
        "ids": None if filters.ids is None else list(filters.ids),
    }
    return {name: value for name, value in values.items() if value is not None}


def _order(sort: CommentSort) -> list[Any]:
    """ORDER BY of a sort (id breaks ties, so the order is total)."""
    if sort is CommentSort.OLDEST:
        return [_COMMENTS.id.asc()]
    if sort is CommentSort.LEAST_CONFIDENT:
        return [_COMMENTS.confidence.asc(), _COMMENTS.id.asc()]
    if sort is CommentSort.MOST_CONFIDENT:
        return [_COMMENTS.confidence.desc(), _COMMENTS.id.desc()]
    return [_COMMENTS.id.desc()]


def _after(sort: CommentSort) -> ColumnElement[bool]:
    """Rows strictly after the cursor's row (bound as after_id, after_confidence)."""
    last: Any = bindparam("after_id", type_=Integer)
    confidence: Any = bindparam("after_confidence", type_=Float)
    if sort is CommentSort.NEWEST:
        return _COMMENTS.id < last
    if sort is CommentSort.OLDEST:
        return _COMMENTS.id > last
    if sort is CommentSort.LEAST_CONFIDENT:
        return or_(
            _COMMENTS.confidence > confidence,
            and_(_COMMENTS.confidence == confidence, _COMMENTS.id > last),
        )
    return or_(
        _COMMENTS.confidence < confidence,
        and_(_COMMENTS.confidence == confidence, _COMMENTS.id < last),
    )


def cursor_values(sort: CommentSort, cursor: str) -> dict[str, Any]:
    """The bound parameters of a page cursor; CursorError when this sort did not make it."""
    try:
        if sort in (CommentSort.NEWEST, CommentSort.OLDEST):
            return {"after_id": int(cursor)}
        confidence_text, id_text = cursor.split("_", 1)
        return {"after_confidence": float(confidence_text), "after_id": int(id_text)}
    except ValueError:
        raise CursorError(f"page {cursor!r} is not a page of this table") from None


@functools.lru_cache(maxsize=256)
def table_statement(
    names: frozenset[str], flags: tuple[bool, bool, bool], sort: CommentSort, paged: bool
) -> Select[Any]:
    """The table's statement for a shape of filters, built once (its cache key and result
    layout are then SQLAlchemy's to reuse); values come as bound parameters."""
    unsure, unreviewed, include_hidden = flags
    label = latest_label()
    stmt = _table(label).where(*(_CONDITIONS[name](label) for name in sorted(names)))
    if unsure:
        stmt = stmt.where(_COMMENTS.needs_review.is_(True))
    if unreviewed:
        stmt = stmt.where(~exists().where(_LABELS.comment_id == _COMMENTS.id))
    if not include_hidden:
        stmt = stmt.where(_HIDES.comment_id.is_(None))
    if sort in (CommentSort.LEAST_CONFIDENT, CommentSort.MOST_CONFIDENT):
        stmt = stmt.where(_COMMENTS.confidence.is_not(None))
    if paged:
        stmt = stmt.where(_after(sort))
    # LIMIT inline: a generic PostgreSQL plan that does not know it is small reads the table
    limit: Any = bindparam("limit", type_=Integer, literal_execute=True)
    return stmt.order_by(*_order(sort)).limit(limit)


def next_cursor(sort: CommentSort, row: CommentRow) -> str:
    """The cursor continuing after a row."""
    if sort in (CommentSort.NEWEST, CommentSort.OLDEST):
        return str(row.id)
    return f"{row.confidence!r}_{row.id}"


_COLUMNS = (
    _COMMENTS.id,
    _COMMENTS.wave_id,
    _COMMENTS.masked_text,
    _COMMENTS.goals,
    _COMMENTS.primary_goal,
    _COMMENTS.confidence,
    _COMMENTS.needs_review,
    _COMMENTS.created_at,
)


def _table(label: Any) -> Select[Any]:
    """Comments (plain columns: no ORM objects to build) with their latest label's goals and
    time, the writer's profile and the hiding reason."""
    labeled_at = (
        select(func.max(_LABELS.labeled_at))
        .where(_LABELS.comment_id == _COMMENTS.id)
        .correlate(Comment.__table__)
        .scalar_subquery()
    )
    return (
        select(*_COLUMNS, label, labeled_at, _RESPONSES.age_band, _RESPONSES.district)
        .add_columns(_HIDES.reason)
        .join(Answer, _ANSWERS.id == _COMMENTS.answer_id)
        .join(Response, _RESPONSES.id == _ANSWERS.response_id)
        .outerjoin(CommentHide, _HIDES.comment_id == _COMMENTS.id)
    )


def table_row(row: Any) -> CommentRow:
    """A result row as a record (an analyst's label wins over the classifier's goals)."""
    cid, wave_id, text, goals, primary, confidence, unsure, created_at, label, labeled_at = row[:10]
    age_band, district, hidden_reason = row[10:]
    return CommentRow(
        id=cid,
        wave_id=wave_id,
        masked_text=text,
        goals=split_codes(label if label is not None else goals),
        classifier_goals=split_codes(goals),
        primary_goal=primary,
        confidence=confidence,
        needs_review=bool(unsure),
        labeled_at=labeled_at,
        age_band=age_band,
        district=district,
        created_at=created_at,
        hidden_reason=hidden_reason,
    )
