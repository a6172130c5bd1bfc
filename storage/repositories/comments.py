"""Comments: masked free text, the classifier's goals, and analysts' labels.

What feeds review, exports, training and counts leaves out comments hidden in the console
(moderation); only `get`, storage and the console's own table see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, update

from storage.models import Answer, Comment, CommentHide, CommentLabel, Response
from storage.records import CommentRecord, LabeledComment, ReviewedComment
from storage.repositories._base import Repository, holds_code, join_codes, rowcount
from surveys.codec import split_codes
from surveys.status import ResponseStatus


def visible() -> ColumnElement[bool]:
    """Not hidden by staff (moderation keeps a comment out of everything that reports)."""
    return ~exists().where(CommentHide.comment_id == Comment.id)


def _record(row: Comment) -> CommentRecord:
    """ORM row to record."""
    return CommentRecord(
        id=row.id,
        answer_id=row.answer_id,
        wave_id=row.wave_id,
        masked_text=row.masked_text,
        language=row.language,
        goals=split_codes(row.goals),
        primary_goal=row.primary_goal,
        confidence=row.confidence,
        needs_review=row.needs_review,
        model_version=row.model_version,
        classified_at=row.classified_at,
        created_at=row.created_at,
    )


class CommentRepository(Repository):
    """Comments to classify, review and count by goal."""

    async def add(
        self,
        answer_id: int,
        wave_id: int,
        masked_text: str,
        at: datetime,
        language: str | None = None,
    ) -> CommentRecord:
        """Store the masked comment of an answer; an edited answer resets its classification."""
        cleared = {
            "masked_text": masked_text,
            "language": language,
            "goals": None,
            "primary_goal": None,
            "confidence": None,
            "needs_review": False,
            "model_version": None,
            "classified_at": None,
        }
        stmt = (
            self.insert_on_conflict(Comment)
            .values(answer_id=answer_id, wave_id=wave_id, created_at=at, **cleared)
            .on_conflict_do_update(index_elements=["answer_id"], set_=cleared)
        )
        await self.session.execute(stmt)
        row = await self.session.scalar(
            select(Comment)
            .where(Comment.answer_id == answer_id)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return _record(row)

    async def get(self, comment_id: int) -> CommentRecord | None:
        """One comment by id."""
        row = await self.session.get(Comment, comment_id, populate_existing=True)
        return _record(row) if row else None

    async def set_classification(
        self,
        comment_id: int,
        *,
        goals: Sequence[str],
        primary_goal: str | None,
        confidence: float,
        needs_review: bool,
        model_version: str,
        at: datetime,
    ) -> None:
        """Record the classifier's verdict on a comment."""
        await self.session.execute(
            update(Comment)
            .where(Comment.id == comment_id)
            .values(
                goals=join_codes(goals),
                primary_goal=primary_goal,
                confidence=confidence,
                needs_review=needs_review,
                model_version=model_version,
                classified_at=at,
            )
        )

    async def unclassified(self, limit: int = 100) -> list[CommentRecord]:
        """Comments the classifier has not seen yet, oldest first."""
        rows = await self.session.scalars(
            select(Comment).where(Comment.classified_at.is_(None)).order_by(Comment.id).limit(limit)
        )
        return [_record(row) for row in rows]

    async def needs_review(
        self, limit: int = 20, wave_id: int | None = None
    ) -> list[CommentRecord]:
        """Comments flagged for an analyst's review, least confident first."""
        stmt = select(Comment).where(Comment.needs_review.is_(True), visible())
        if wave_id is not None:
            stmt = stmt.where(Comment.wave_id == wave_id)
        stmt = stmt.order_by(Comment.confidence.is_(None).desc(), Comment.confidence, Comment.id)
        return [_record(row) for row in await self.session.scalars(stmt.limit(limit))]

    async def by_goal(
        self, goal: str, limit: int = 20, wave_id: int | None = None
    ) -> list[CommentRecord]:
        """Comments the classifier put under a goal, newest first."""
        stmt = select(Comment).where(holds_code(Comment.goals, goal), visible())
        if wave_id is not None:
            stmt = stmt.where(Comment.wave_id == wave_id)
        stmt = stmt.order_by(Comment.id.desc()).limit(limit)
        return [_record(row) for row in await self.session.scalars(stmt)]

    async def add_label(
        self, comment_id: int, goals: Sequence[str] | str, by: int, at: datetime
    ) -> None:
        """Record an analyst's goals for a comment; it no longer needs review."""
        self.session.add(
            CommentLabel(
                comment_id=comment_id, goals=join_codes(goals) or "", labeled_by=by, labeled_at=at
            )
        )
        await self.session.execute(
            update(Comment).where(Comment.id == comment_id).values(needs_review=False)
        )
        await self.session.flush()

    async def labeled(self) -> list[LabeledComment]:
        """Each labeled comment with its latest label: training data for the classifier."""
        latest = select(func.max(CommentLabel.id)).group_by(CommentLabel.comment_id)
        rows = await self.session.execute(
            select(
                Comment.id,
                Comment.masked_text,
                CommentLabel.goals,
                CommentLabel.labeled_by,
                CommentLabel.labeled_at,
            )
            .join(CommentLabel, CommentLabel.comment_id == Comment.id)
            .where(CommentLabel.id.in_(latest), visible())
            .order_by(Comment.id)
        )
        return [
            LabeledComment(int(cid), text, split_codes(goals), int(by), when)
            for cid, text, goals, by, when in rows
        ]

    async def counts_by_goal(self, wave_id: int) -> dict[str, int]:
        """How many classified comments of a wave fall under each goal."""
        rows = await self.session.execute(
            select(Comment.goals, func.count())
            .where(Comment.wave_id == wave_id, Comment.goals.is_not(None), visible())
            .group_by(Comment.goals)
        )
        counts: dict[str, int] = {}
        for goals, count in rows:
            for goal in split_codes(goals):
                counts[goal] = counts.get(goal, 0) + int(count)
        return dict(sorted(counts.items()))

    async def hidden_answers(self, wave_id: int) -> set[tuple[str, str]]:
        """(respondent ref, question id) of the wave's answers whose comment staff hid."""
        rows = await self.session.execute(
            select(Response.respondent_ref, Answer.question_id)
            .select_from(Comment)
            .join(CommentHide, CommentHide.comment_id == Comment.id)
            .join(Answer, Answer.id == Comment.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(Comment.wave_id == wave_id)
        )
        return {(str(ref), str(question)) for ref, question in rows}

    async def masked_texts(self, answer_ids: Sequence[int]) -> dict[int, str]:
        """Masked text of comments already stored for these answers, by answer id."""
        if not answer_ids:
            return {}
        rows = await self.session.execute(
            select(Comment.answer_id, Comment.masked_text).where(Comment.answer_id.in_(answer_ids))
        )
        return {int(answer_id): text for answer_id, text in rows}

    async def missing(self, wave_id: int, question_ids: Sequence[str]) -> list[int]:
        """Submitted responses of the wave holding a comment answer not stored as a comment
        (the bot stopped between submission and storage, or the response was imported)."""
        if not question_ids:
            return []
        rows = await self.session.scalars(
            select(Answer.response_id)
            .join(Response, Response.id == Answer.response_id)
            .outerjoin(Comment, Comment.answer_id == Answer.id)
            .where(
                Response.wave_id == wave_id,
                Response.status == ResponseStatus.COMPLETE,
                Answer.question_id.in_(list(question_ids)),
                func.length(func.trim(Answer.value)) > 0,
                Comment.id.is_(None),
            )
            .distinct()
            .order_by(Answer.response_id)
        )
        return [int(response_id) for response_id in rows]

    async def replace_raw_text(self, answer_id: int, text: str) -> None:
        """Overwrite the answer holding a comment's raw text (when raw comments are not kept)."""
        await self.session.execute(update(Answer).where(Answer.id == answer_id).values(value=text))

    async def claim_for_review(self, comment_id: int) -> bool:
        """Take a comment out of the review queue; False if it already left (a double tap)."""
        result = await self.session.execute(
            update(Comment)
            .where(Comment.id == comment_id, Comment.needs_review.is_(True), visible())
            .values(needs_review=False)
        )
        return bool(rowcount(result))

    async def reviewed_of_goal(
        self, goal: str, offset: int = 0, limit: int = 5
    ) -> list[ReviewedComment]:
        """Comments under a goal (an analyst's label wins over the classifier), newest first."""
        stmt, label = _with_labels()
        effective = func.coalesce(label.c.goals, Comment.goals)
        stmt = stmt.where(holds_code(effective, goal)).order_by(Comment.id.desc())
        rows = await self.session.execute(stmt.offset(offset).limit(limit))
        return [_reviewed(*row) for row in rows]

    async def reviewed_of_wave(self, wave_id: int) -> list[ReviewedComment]:
        """Every comment of a wave with its latest label, oldest first."""
        stmt, _ = _with_labels()
        rows = await self.session.execute(
            stmt.where(Comment.wave_id == wave_id).order_by(Comment.id)
        )
        return [_reviewed(*row) for row in rows]

    async def reviewed_goal_counts(self, wave_id: int | None = None) -> dict[str, int]:
        """How many classified comments fall under each goal (analysts' labels win)."""
        stmt, label = _with_labels()
        stmt = stmt.where(func.coalesce(label.c.goals, Comment.goals).is_not(None))
        if wave_id is not None:
            stmt = stmt.where(Comment.wave_id == wave_id)
        counts: dict[str, int] = {}
        for row in await self.session.execute(stmt):
            for goal in _reviewed(*row).goals:
                counts[goal] = counts.get(goal, 0) + 1
        return counts

    async def review_queue_size(self) -> int:
        """How many comments wait for an analyst."""
        stmt = (
            select(func.count())
            .select_from(Comment)
            .where(Comment.needs_review.is_(True), visible())
        )
        return int(await self.session.scalar(stmt) or 0)


def _with_labels() -> tuple[Select[Any], Any]:
    """Visible comments joined with each one's latest label (if any)."""
    latest = select(func.max(CommentLabel.id)).group_by(CommentLabel.comment_id)
    label = (
        select(CommentLabel.comment_id, CommentLabel.goals, CommentLabel.labeled_at)
        .where(CommentLabel.id.in_(latest))
        .subquery()
    )
    stmt = (
        select(Comment, label.c.goals, label.c.labeled_at)
        .outerjoin(label, label.c.comment_id == Comment.id)
        .where(visible())
    )
    return stmt, label


def _reviewed(row: Comment, goals: str | None, labeled_at: datetime | None) -> ReviewedComment:
    """A comment row and its latest label as a record."""
    label = None if goals is None else split_codes(goals)
    return ReviewedComment(_record(row), label, labeled_at)
