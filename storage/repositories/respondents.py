"""Respondents: pseudonymous residents, their consent and language, and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, select, update

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
from storage.records import PROFILE_FIELDS, RespondentRecord, ResponseRecord, StoredAnswer
from storage.repositories._base import Query, Repository, rowcount
from surveys.modes import ResponseMode
from surveys.status import Consent

_RESPONSE_COLUMNS = (
    Response.id,
    Response.respondent_ref,
    Response.mode,
    Response.status,
    Response.started_at,
    Response.updated_at,
    Response.submitted_at,
    *(getattr(Response, name) for name in PROFILE_FIELDS),
)


@dataclass(frozen=True)
class RespondentInWave:
    """What one survey step needs: the resident, their profile, their response to a wave (if
    started) and its answers by question id, in the order given."""

    respondent: RespondentRecord
    profile: dict[str, str | None]
    response: ResponseRecord | None
    answers: dict[str, StoredAnswer] = field(default_factory=dict)


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


def in_wave_statement(key: str, wave_id: int) -> Query:
    """One query for a resident in a wave: respondent, profile, response and its answers."""
    return in_wave_query(), {"p_key": key, "p_wave": wave_id}


@cache
def in_wave_query() -> Select[Any]:
    """Respondent, profile, response to the wave (`p_wave`) and its answers, by `p_key`."""
    profile_columns = [getattr(Profile, name) for name in PROFILE_FIELDS]
    return (
        select(
            Respondent.id,
            Respondent.consent,
            Respondent.consent_at,
            Respondent.language,
            Respondent.created_at,
            *profile_columns,
            *_RESPONSE_COLUMNS,
            Answer.id,
            Answer.question_id,
            Answer.value,
            Answer.other_text,
            Answer.answered_at,
        )
        .outerjoin(Profile, Profile.respondent_id == Respondent.id)
        .outerjoin(
            Response,
            and_(Response.respondent_id == Respondent.id, Response.wave_id == bindparam("p_wave")),
        )
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Respondent.key == bindparam("p_key"))
        .order_by(Answer.answered_at, Answer.id)
    )


def respondent_in_wave(
    key: str, wave_id: int, rows: Sequence[Sequence[Any]]
) -> RespondentInWave | None:
    """The rows of `in_wave_statement` as a RespondentInWave (None for an unknown key)."""
    if not rows:
        return None
    first = rows[0]
    respondent = RespondentRecord(
        id=first[0],
        key=key,
        consent=first[1],
        consent_at=first[2],
        language=first[3],
        created_at=first[4],
    )
    fields = len(PROFILE_FIELDS)
    profile = dict(zip(PROFILE_FIELDS, first[5 : 5 + fields], strict=True))
    at = 5 + fields
    response = None
    if first[at] is not None:
        snapshot = first[at + 7 : at + 7 + fields]
        response = ResponseRecord(
            id=first[at],
            wave_id=wave_id,
            respondent_id=respondent.id,
            respondent_ref=first[at + 1],
            mode=ResponseMode(first[at + 2]),
            status=first[at + 3],
            started_at=first[at + 4],
            updated_at=first[at + 5],
            submitted_at=first[at + 6],
            profile=dict(zip(PROFILE_FIELDS, snapshot, strict=True)),
        )
    answers = {
        row[-4]: StoredAnswer(row[-4], row[-3], row[-2], row[-1], row[-5])
        for row in rows
        if row[-5] is not None
    }
    return RespondentInWave(respondent, profile, response, answers)


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

    async def in_wave(self, key: str, wave_id: int) -> RespondentInWave | None:
        """The resident with this key with profile, response to the wave and answers (one query)."""
        rows = (await self.session.execute(*in_wave_statement(key, wave_id))).all()
        return respondent_in_wave(key, wave_id, rows)

    async def get(self, respondent_id: int) -> RespondentRecord | None:
        """The respondent with this id, if any."""
        row = await self.session.get(Respondent, respondent_id, populate_existing=True)
        return _record(row) if row else None

    async def set_consent(self, respondent_id: int, consent: str | None, at: datetime) -> None:
        """Record the resident's consent ('given', 'declined' or None to withdraw)."""
        if consent is not None and consent not in set(Consent):
            known = ", ".join(Consent)
            raise StorageError(f"unknown consent {consent!r}; use one of {known}")
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
        return bool(rowcount(result))
