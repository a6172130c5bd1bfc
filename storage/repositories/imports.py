"""Responses collected elsewhere (mailed or web survey): stored, found and replaced by reference."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from sqlalchemy import delete, insert, select

from storage.errors import StorageError
from storage.models import Answer, Comment, CommentLabel, Response
from storage.records import ResponseRecord
from storage.repositories._base import Repository, rowcount
from storage.repositories.answering import profile_snapshot, response_record
from surveys.modes import IMPORTED_MODES, ResponseMode
from surveys.status import ResponseStatus


def _batches(refs: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """Distinct references in slices small enough for one IN list on every backend."""
    wanted = list(dict.fromkeys(refs))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


class ImportRepository(Repository):
    """Imported responses: complete on arrival, with no respondent behind them."""

    async def add(
        self,
        wave_id: int,
        ref: str,
        mode: ResponseMode | str,
        profile: Mapping[str, str | None] | None,
        answers: Mapping[str, str | None],
        at: datetime,
        other_texts: Mapping[str, str] | None = None,
    ) -> ResponseRecord:
        """Store a complete response collected by mail or web (no respondent behind it)."""
        if mode not in set(ResponseMode):
            raise StorageError(f"unknown response mode {mode!r}; use {', '.join(ResponseMode)}")
        existing = await self.session.scalar(
            select(Response.id).where(Response.wave_id == wave_id, Response.respondent_ref == ref)
        )
        if existing is not None:
            raise StorageError(f"respondent {ref!r} is already stored in wave {wave_id}")
        row = Response(
            wave_id=wave_id,
            respondent_id=None,
            respondent_ref=ref,
            mode=ResponseMode(mode),
            status=ResponseStatus.COMPLETE,
            started_at=at,
            updated_at=at,
            submitted_at=at,
            **profile_snapshot(profile),
        )
        self.session.add(row)
        await self.session.flush()
        if answers:
            await self.session.execute(
                insert(Answer),
                [
                    {
                        "response_id": row.id,
                        "question_id": question_id,
                        "value": value,
                        "other_text": (other_texts or {}).get(question_id),
                        "answered_at": at,
                    }
                    for question_id, value in answers.items()
                ],
            )
        return response_record(row)

    async def existing_refs(self, wave_id: int, refs: Iterable[str]) -> set[str]:
        """Which of these respondent references already have a response in the wave."""
        return set(await self.stored_modes(wave_id, refs))

    async def stored_modes(self, wave_id: int, refs: Iterable[str]) -> dict[str, str]:
        """The mode (chat, mail, web, line) of each of these references stored in the wave."""
        found: dict[str, str] = {}
        for batch in _batches(refs):
            rows = await self.session.execute(
                select(Response.respondent_ref, Response.mode).where(
                    Response.wave_id == wave_id, Response.respondent_ref.in_(batch)
                )
            )
            found.update((ref, mode) for ref, mode in rows)
        return found

    async def remove(self, wave_id: int, refs: Iterable[str]) -> int:
        """Delete the imported responses (never a resident's own) with these references, with their
        answers and comments, in the caller's transaction; returns how many were removed."""
        removed = 0
        for batch in _batches(refs):
            responses = select(Response.id).where(
                Response.wave_id == wave_id,
                Response.respondent_id.is_(None),
                Response.mode.in_(IMPORTED_MODES),
                Response.respondent_ref.in_(batch),
            )
            answers = select(Answer.id).where(Answer.response_id.in_(responses))
            comments = select(Comment.id).where(Comment.answer_id.in_(answers))
            await self.session.execute(
                delete(CommentLabel).where(CommentLabel.comment_id.in_(comments))
            )
            await self.session.execute(delete(Comment).where(Comment.answer_id.in_(answers)))
            await self.session.execute(delete(Answer).where(Answer.response_id.in_(responses)))
            result = await self.session.execute(delete(Response).where(Response.id.in_(responses)))
            removed += rowcount(result)
        return removed
