"""What data retention reads and changes: idle residents' contacts, raw free text of old waves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update

from storage.models import Answer, Comment, Contact, Invitation, Respondent, Response, Wave
from storage.repositories._base import Repository, rowcount
from surveys.waves import WaveStatus


@dataclass(frozen=True, slots=True)
class TextAnswer:
    """A stored answer whose free text may need masking."""

    answer_id: int
    value: str | None
    other_text: str | None
    masked_comment: str | None
    is_comment: bool


def _idle_contacts(cutoff: datetime) -> ColumnElement[bool]:
    """Contacts of residents outside every open wave who have not interacted since `cutoff`."""
    open_waves = select(Wave.id).where(Wave.status == WaveStatus.OPEN)
    busy = select(Response.respondent_id).where(
        Response.respondent_id.is_not(None),
        or_(Response.wave_id.in_(open_waves), Response.updated_at >= cutoff),
    )
    invited = select(Invitation.respondent_id).where(Invitation.wave_id.in_(open_waves))
    recent = select(Respondent.id).where(
        or_(Respondent.created_at >= cutoff, Respondent.consent_at >= cutoff)
    )
    return and_(
        Contact.updated_at < cutoff,
        Contact.respondent_id.not_in(busy),
        Contact.respondent_id.not_in(invited),
        Contact.respondent_id.not_in(recent),
    )


class RetentionRepository(Repository):
    """Queries of the retention policy (the policy itself lives in the application)."""

    async def count_idle_contacts(self, cutoff: datetime) -> int:
        """How many contacts belong to residents idle since `cutoff` and in no open wave."""
        stmt = select(func.count()).select_from(Contact).where(_idle_contacts(cutoff))
        return int(await self.session.scalar(stmt) or 0)

    async def remove_idle_contacts(self, cutoff: datetime) -> int:
        """Delete idle residents' contacts (their pseudonymous answers stay); return how many."""
        result = await self.session.execute(delete(Contact).where(_idle_contacts(cutoff)))
        return rowcount(result)

    async def text_answers(
        self, wave_id: int, questions: Sequence[str], after_id: int, limit: int
    ) -> list[TextAnswer]:
        """The next batch of a wave's answers holding free text (comments or 'other' text)."""
        is_comment = or_(Answer.question_id.in_(list(questions)), Comment.id.is_not(None))
        rows = await self.session.execute(
            select(Answer.id, Answer.value, Answer.other_text, Comment.masked_text, is_comment)
            .join(Response, Response.id == Answer.response_id)
            .outerjoin(Comment, Comment.answer_id == Answer.id)
            .where(
                Response.wave_id == wave_id,
                Answer.id > after_id,
                or_(Answer.other_text.is_not(None), and_(Answer.value.is_not(None), is_comment)),
            )
            .order_by(Answer.id)
            .limit(limit)
        )
        return [TextAnswer(int(a), v, o, m, bool(c)) for a, v, o, m, c in rows]

    async def replace_text(self, answer_id: int, value: str | None, other_text: str | None) -> None:
        """Overwrite an answer's free text (with its masked form)."""
        await self.session.execute(
            update(Answer).where(Answer.id == answer_id).values(value=value, other_text=other_text)
        )
