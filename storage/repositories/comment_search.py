"""The console's comment workspace: the comment table's pages, bulk labels with their history,
hiding comments from reports, and the visible comments reports and themes read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy import update as sql_update

from storage.models import Answer, Comment, CommentHide, CommentLabel, Response
from storage.repositories._base import Repository, join_codes
from storage.repositories.comment_table import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    CommentFilter,
    CommentPage,
    CommentRow,
    CommentSort,
    CursorError,
    LabelChange,
    ThemeSource,
    cursor_values,
    filter_values,
    has_goal,
    latest_label,
    next_cursor,
    table_row,
    table_statement,
)
from surveys.codec import split_codes

__all__ = [
    "CommentFilter",
    "CommentPage",
    "CommentRow",
    "CommentSearch",
    "CommentSort",
    "CursorError",
    "LabelChange",
    "ThemeSource",
]


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
        values = {**filter_values(filters), "limit": size + 1}
        if after:
            values.update(cursor_values(sort, after))
        flags = (filters.unsure, filters.unreviewed, filters.include_hidden)
        stmt = table_statement(frozenset(filter_values(filters)), flags, sort, bool(after))
        result = await self.session.execute(stmt, values)
        rows = [table_row(row) for row in result]
        more = len(rows) > size
        rows = rows[:size]
        return CommentPage(tuple(rows), next_cursor(sort, rows[-1]) if more else None)

    async def effective_goals(self, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The current goals (latest label, else the classifier's) of these comments."""
        if not ids:
            return {}
        label = latest_label()
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
                has_goal(Comment.goals, goal),
                CommentHide.comment_id.is_(None),
            )
            .order_by(Comment.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def theme_sources(
        self, wave_id: int | None = None, limit: int | None = None
    ) -> list[ThemeSource]:
        """Visible comments with goals (of a wave or of all waves), oldest first; with a limit,
        only the `limit` newest of them."""
        label = latest_label()
        stmt = (
            select(Comment.id, Comment.masked_text, label, Comment.goals)
            .add_columns(Response.age_band, Response.district)
            .join(Answer, Answer.id == Comment.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(*_themable(label, wave_id))
            .order_by(Comment.id.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        sources = []
        for cid, text, lab, goals, age_band, district in await self.session.execute(stmt):
            effective = split_codes(lab if lab is not None else goals)
            if effective:
                sources.append(ThemeSource(int(cid), text, effective, age_band, district))
        return sources[::-1]

    async def theme_source_count(self, wave_id: int | None = None) -> int:
        """How many comments `theme_sources` would give without a limit."""
        stmt = select(func.count()).select_from(Comment).where(*_themable(latest_label(), wave_id))
        return int(await self.session.scalar(stmt) or 0)


def _themable(label: Any, wave_id: int | None) -> list[ColumnElement[bool]]:
    """Visible comments with goals (an analyst's label wins), of a wave or of all waves."""
    conditions = [
        ~exists().where(CommentHide.comment_id == Comment.id),
        func.coalesce(label, Comment.goals, "") != "",
    ]
    if wave_id is not None:
        conditions.append(Comment.wave_id == wave_id)
    return conditions
