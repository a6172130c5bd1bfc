"""Answers across responses: the classifier's texts and the counts behind statistics."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from storage.models import Answer, Response
from storage.records import StoredAnswer, SubmittedText
from storage.repositories._base import Repository
from surveys.status import ResponseStatus


class AnswerRepository(Repository):
    """Answers across responses (for statistics and the classifier's text)."""

    async def get(self, answer_id: int) -> StoredAnswer | None:
        """One answer by id."""
        row = await self.session.get(Answer, answer_id)
        if row is None:
            return None
        return StoredAnswer(row.question_id, row.value, row.other_text, row.answered_at, row.id)

    async def submitted_texts(self, response_ids: Iterable[int]) -> list[SubmittedText]:
        """The non-blank answers of those responses that are submitted, with their wave, in
        answer order (where the comments of many responses are read at once)."""
        ids = sorted(set(response_ids))
        if not ids:
            return []
        columns = (Answer.id, Answer.response_id, Response.wave_id, Answer.question_id)
        rows = await self.session.execute(
            select(*columns, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(
                Answer.response_id.in_(ids),
                Response.submitted_at.is_not(None),
                func.length(func.trim(Answer.value)) > 0,
            )
            .order_by(Answer.id)
        )
        return [SubmittedText(int(a), int(r), int(w), q, str(v)) for a, r, w, q, v in rows]

    async def texts(
        self, wave_id: int, question_id: str, after_id: int = 0, limit: int = 500
    ) -> list[tuple[int, str]]:
        """(answer id, text) of non-empty answers to a question in complete responses."""
        rows = await self.session.execute(
            select(Answer.id, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(
                Response.wave_id == wave_id,
                Response.status == ResponseStatus.COMPLETE,
                Answer.question_id == question_id,
                Answer.value.is_not(None),
                Answer.id > after_id,
            )
            .order_by(Answer.id)
            .limit(limit)
        )
        return [(int(answer_id), str(value)) for answer_id, value in rows]

    async def value_counts(
        self, wave_id: int, question_id: str, status: str = ResponseStatus.COMPLETE
    ) -> dict[str | None, int]:
        """How often each stored value was given to a question in a wave."""
        rows = await self.session.execute(
            select(Answer.value, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(
                Response.wave_id == wave_id,
                Response.status == status,
                Answer.question_id == question_id,
            )
            .group_by(Answer.value)
        )
        return {value: int(count) for value, count in rows}
