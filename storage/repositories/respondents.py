"""Respondents: pseudonymous residents, their consent and language, and erasure."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from storage.errors import StorageError
from storage.models import (
    Answer,
    Comment,
    CommentLabel,
    Contact,
    Invitation,
    Profile,
    Respondent,
    Response,
)
from storage.records import RespondentRecord
from storage.repositories._base import Repository

CONSENTS = ("given", "declined")


def _record(row: Respondent) -> RespondentRecord:
    """ORM row to record."""
    return RespondentRecord(
        id=row.id,
        key=row.key,
        consent=row.consent,
        consent_at=row.consent_at,
        language=row.language,
        created_at=row.created_at,
    )


class RespondentRepository(Repository):
    """Residents by pseudonymous key."""

    async def get_or_create(
        self, key: str, at: datetime | None = None, language: str = "ja"
    ) -> RespondentRecord:
        """The respondent with this key, created if new (safe under concurrency)."""
        stmt = (
            self.insert_on_conflict(Respondent)
            .values(key=key, language=language, created_at=at or datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["key"])
        )
        await self.session.execute(stmt)
        found = await self.get_by_key(key)
        if found is None:  # pragma: no cover - only if deleted concurrently
            raise StorageError("respondent vanished while being created")
        return found

    async def get_by_key(self, key: str) -> RespondentRecord | None:
        """The respondent with this key, if any."""
        row = await self.session.scalar(select(Respondent).where(Respondent.key == key))
        return _record(row) if row else None

    async def get(self, respondent_id: int) -> RespondentRecord | None:
        """The respondent with this id, if any."""
        row = await self.session.get(Respondent, respondent_id, populate_existing=True)
        return _record(row) if row else None

    async def set_consent(self, respondent_id: int, consent: str | None, at: datetime) -> None:
        """Record the resident's consent ('given', 'declined' or None to withdraw)."""
        if consent is not None and consent not in CONSENTS:
            raise StorageError(f"unknown consent {consent!r}; use one of {', '.join(CONSENTS)}")
        await self.session.execute(
            update(Respondent)
            .where(Respondent.id == respondent_id)
            .values(consent=consent, consent_at=at if consent else None)
        )

    async def set_language(self, respondent_id: int, language: str) -> None:
        """Remember the resident's language (ja, en, ja-easy)."""
        await self.session.execute(
            update(Respondent).where(Respondent.id == respondent_id).values(language=language)
        )

    async def delete_everything(self, respondent_id: int) -> bool:
        """Erase the resident and every row about them; False if there was none."""
        responses = select(Response.id).where(Response.respondent_id == respondent_id)
        answers = select(Answer.id).where(Answer.response_id.in_(responses))
        comments = select(Comment.id).where(Comment.answer_id.in_(answers))
        for stmt in (
            delete(CommentLabel).where(CommentLabel.comment_id.in_(comments)),
            delete(Comment).where(Comment.answer_id.in_(answers)),
            delete(Answer).where(Answer.response_id.in_(responses)),
            delete(Response).where(Response.respondent_id == respondent_id),
            delete(Invitation).where(Invitation.respondent_id == respondent_id),
            delete(Contact).where(Contact.respondent_id == respondent_id),
            delete(Profile).where(Profile.respondent_id == respondent_id),
        ):
            await self.session.execute(stmt)
        result = await self.session.execute(
            delete(Respondent).where(Respondent.id == respondent_id)
        )
        self.session.expunge_all()
        return bool(getattr(result, "rowcount", 0))
