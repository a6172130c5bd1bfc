"""The console's comment workspace: filtered, sorted, seek-paged comments; bulk labels; hiding.

Pages are keyset (seek) pages: each page continues after the last row of the previous one, so
page 2,000 of 100,000 comments costs what page 1 costs. The goals shown and filtered on are the
effective ones: an analyst's latest label wins over the classifier.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
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
    delete,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy import update as sql_update

from storage.models import Answer, Comment, CommentHide, CommentLabel, Response
from storage.repositories._base import Repository, join_codes, split_codes

# The table's statement is built from Core columns: an ORM-annotated one takes SQLAlchemy's ORM
# execution path, which costs more than the query itself on PostgreSQL (bench/console_bench.py).
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


def _latest_label() -> Any:
    """The comment's latest label goals, as a correlated scalar subquery."""
    return (
        select(_LABELS.goals)
        .where(_LABELS.comment_id == _COMMENTS.id)
        .order_by(_LABELS.id.desc())
        .limit(1)
        .correlate(Comment.__table__)
        .scalar_subquery()
    )


def _has_goal(effective: Any, goal: str) -> ColumnElement[bool]:
    """Whether ';'-joined goals hold this goal."""
    return (literal(";") + func.coalesce(effective, "") + literal(";")).like(f"%;{goal};%")


def _escape_like(text: str) -> str:
    """A LIKE pattern matching the text literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_CONDITIONS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "wave": lambda label: _COMMENTS.wave_id == bindparam("wave"),
    "goal": lambda label: (
        literal(";") + func.coalesce(label, _COMMENTS.goals, "") + literal(";")
    ).like(bindparam("goal")),
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


def _values(filters: CommentFilter) -> dict[str, Any]:
    """The bound parameters of a filter (the filters that are set)."""
    values = {
        "wave": filters.wave_id,
        "goal": None if filters.goal is None else f"%;{filters.goal};%",
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


def _cursor_values(sort: CommentSort, cursor: str) -> dict[str, Any]:
    """The bound parameters of a page cursor; CursorError when this sort did not make it."""
    try:
        if sort in (CommentSort.NEWEST, CommentSort.OLDEST):
            return {"after_id": int(cursor)}
        confidence_text, id_text = cursor.split("_", 1)
        return {"after_confidence": float(confidence_text), "after_id": int(id_text)}
    except ValueError:
        raise CursorError(f"page {cursor!r} is not a page of this table") from None


@functools.lru_cache(maxsize=256)
def _statement(
    names: frozenset[str], flags: tuple[bool, bool, bool], sort: CommentSort, paged: bool
) -> Select[Any]:
    """The table's statement for a shape of filters, built once (its cache key and result
    layout are then SQLAlchemy's to reuse); values come as bound parameters."""
    unsure, unreviewed, include_hidden = flags
    label = _latest_label()
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


def _cursor(sort: CommentSort, row: CommentRow) -> str:
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


def _row(row: Any) -> CommentRow:
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


class CommentSearch(Repository):
    """The comment table of the console, its bulk labels and its moderation."""

    async def page(
        self,
        filters: CommentFilter,
        sort: CommentSort = CommentSort.NEWEST,
        after: str | None = None,
        size: int = PAGE_SIZE,
    ) -> CommentPage:
        """One page of matching comments; `after` is the previous page's next_cursor."""
        size = max(1, min(size, MAX_PAGE_SIZE))
        values = {**_values(filters), "limit": size + 1}
        if after:
            values.update(_cursor_values(sort, after))
        flags = (filters.unsure, filters.unreviewed, filters.include_hidden)
        stmt = _statement(frozenset(_values(filters)), flags, sort, bool(after))
        result = await self.session.execute(stmt, values)
        rows = [_row(row) for row in result]
        more = len(rows) > size
        rows = rows[:size]
        return CommentPage(tuple(rows), _cursor(sort, rows[-1]) if more else None)

    async def effective_goals(self, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The current goals (latest label, else the classifier's) of these comments."""
        if not ids:
            return {}
        label = _latest_label()
        result = await self.session.execute(
            select(Comment.id, label, Comment.goals).where(Comment.id.in_(list(ids)))
        )
        return {
            int(cid): split_codes(lab if lab is not None else goals) for cid, lab, goals in result
        }

    async def relabel(
        self, ids: Sequence[int], goals: Sequence[str], by: int, at: datetime
    ) -> list[LabelChange]:
        """Give these comments these goals; each change is recorded and becomes training data."""
        current = await self.effective_goals(ids)
        return await self._record({cid: tuple(goals) for cid in current}, current, by, at)

    async def confirm(self, ids: Sequence[int], by: int, at: datetime) -> list[LabelChange]:
        """Confirm the current goals of these comments (classified ones only) as an analyst's."""
        current = await self.effective_goals(ids)
        kept = {cid: goals for cid, goals in current.items() if goals}
        return await self._record(kept, current, by, at)

    async def _record(
        self,
        new: dict[int, tuple[str, ...]],
        previous: dict[int, tuple[str, ...]],
        by: int,
        at: datetime,
    ) -> list[LabelChange]:
        """Store one label per comment with its previous goals; they leave the review queue."""
        if not new:
            return []
        changes = [LabelChange(cid, previous.get(cid), goals, by, at) for cid, goals in new.items()]
        self.session.add_all(
            CommentLabel(
                comment_id=change.comment_id,
                goals=join_codes(change.goals) or "",
                previous_goals=join_codes(change.previous),
                labeled_by=by,
                labeled_at=at,
            )
            for change in changes
        )
        await self.session.execute(
            sql_update(Comment).where(Comment.id.in_(list(new))).values(needs_review=False)
        )
        await self.session.flush()
        return changes

    async def history(self, comment_id: int) -> list[LabelChange]:
        """Every recorded label of a comment, oldest first."""
        rows = await self.session.scalars(
            select(CommentLabel)
            .where(CommentLabel.comment_id == comment_id)
            .order_by(CommentLabel.id)
        )
        return [
            LabelChange(
                comment_id,
                None if row.previous_goals is None else split_codes(row.previous_goals),
                split_codes(row.goals),
                row.labeled_by,
                row.labeled_at,
            )
            for row in rows
        ]

    async def hide(self, ids: Sequence[int], reason: str, by: int, at: datetime) -> list[int]:
        """Take these comments out of reports with a reason; returns those newly hidden."""
        reason = reason.strip()
        if not reason:
            raise ValueError("a comment is hidden only with a reason")
        already = set(
            await self.session.scalars(
                select(CommentHide.comment_id).where(CommentHide.comment_id.in_(list(ids)))
            )
        )
        known = await self.session.scalars(select(Comment.id).where(Comment.id.in_(list(ids))))
        fresh = sorted(set(known) - already)
        self.session.add_all(
            CommentHide(comment_id=cid, reason=reason, hidden_by=by, hidden_at=at) for cid in fresh
        )
        await self.session.flush()
        return fresh

    async def unhide(self, ids: Sequence[int]) -> list[int]:
        """Bring hidden comments back into reports; returns those that were hidden."""
        result = await self.session.scalars(
            delete(CommentHide)
            .where(CommentHide.comment_id.in_(list(ids)))
            .returning(CommentHide.comment_id)
        )
        return sorted(result)

    async def visible_counts_by_goal(self, wave_id: int) -> dict[str, int]:
        """How many classified, not hidden comments of a wave fall under each goal."""
        rows = await self.session.execute(
            select(Comment.goals, func.count())
            .outerjoin(CommentHide, CommentHide.comment_id == Comment.id)
            .where(
                Comment.wave_id == wave_id,
                Comment.goals.is_not(None),
                CommentHide.comment_id.is_(None),
            )
            .group_by(Comment.goals)
        )
        counts: dict[str, int] = {}
        for goals, count in rows:
            for goal in split_codes(goals):
                counts[goal] = counts.get(goal, 0) + int(count)
        return dict(sorted(counts.items()))

    async def visible_examples(self, wave_id: int, goal: str, limit: int) -> list[str]:
        """Masked texts of a goal's newest not hidden comments in a wave."""
        rows = await self.session.scalars(
            select(Comment.masked_text)
            .outerjoin(CommentHide, CommentHide.comment_id == Comment.id)
            .where(
                Comment.wave_id == wave_id,
                _has_goal(Comment.goals, goal),
                CommentHide.comment_id.is_(None),
            )
            .order_by(Comment.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def theme_sources(self, wave_id: int | None = None) -> list[ThemeSource]:
        """Every visible comment with goals (of a wave or of all waves), oldest first."""
        label = _latest_label()
        stmt = (
            select(Comment.id, Comment.masked_text, label, Comment.goals)
            .add_columns(Response.age_band, Response.district)
            .join(Answer, Answer.id == Comment.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .outerjoin(CommentHide, CommentHide.comment_id == Comment.id)
            .where(CommentHide.comment_id.is_(None))
            .order_by(Comment.id)
        )
        if wave_id is not None:
            stmt = stmt.where(Comment.wave_id == wave_id)
        sources = []
        for cid, text, lab, goals, age_band, district in await self.session.execute(stmt):
            effective = split_codes(lab if lab is not None else goals)
            if effective:
                sources.append(ThemeSource(int(cid), text, effective, age_band, district))
        return sources
