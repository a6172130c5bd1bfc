"""Responses and answers: committed at every step, never changed once submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from storage.models import Answer, Profile, Response
from storage.records import (
    PROFILE_FIELDS,
    ExportRow,
    ResponseRecord,
    StoredAnswer,
)
from storage.repositories._base import Repository, run_async
from storage.repositories.answering import (
    drop_answers_program,
    response_for_statement,
    response_record,
    save_answer_program,
    start_program,
    submit_program,
)
from surveys.modes import ResponseMode


class ResponseRepository(Repository):
    """Responses to waves and their answers (the step's writes are the programs above, run on
    the unit of work's session; the step lanes run the same ones on their connections)."""

    async def start(
        self,
        wave_id: int,
        respondent_id: int,
        respondent_ref: str,
        at: datetime,
        mode: ResponseMode = ResponseMode.CHAT,
    ) -> ResponseRecord:
        """The resident's response to the wave, started now if there is none (idempotent)."""
        program = start_program(self.dialect, wave_id, respondent_id, respondent_ref, at, mode)
        return await run_async(program, self.session.execute)

    async def get(self, response_id: int) -> ResponseRecord | None:
        """A response by id."""
        row = await self.session.get(Response, response_id, populate_existing=True)
        return response_record(row) if row else None

    async def get_for(self, wave_id: int, respondent_id: int) -> ResponseRecord | None:
        """The resident's response to the wave, if started."""
        row = (await self.session.execute(*response_for_statement(wave_id, respondent_id))).first()
        return response_record(row) if row else None

    async def for_respondent(self, respondent_id: int) -> list[ResponseRecord]:
        """Every response of a resident (what is stored about them), oldest first."""
        rows = await self.session.scalars(
            select(Response).where(Response.respondent_id == respondent_id).order_by(Response.id)
        )
        return [response_record(row) for row in rows]

    async def answers(self, response_id: int) -> dict[str, StoredAnswer]:
        """The stored answers of a response by question id, in the order given."""
        rows = await self.session.execute(
            select(
                Answer.id, Answer.question_id, Answer.value, Answer.other_text, Answer.answered_at
            )
            .where(Answer.response_id == response_id)
            .order_by(Answer.answered_at, Answer.id)
        )
        return {
            question_id: StoredAnswer(question_id, value, other_text, answered_at, answer_id)
            for answer_id, question_id, value, other_text, answered_at in rows
        }

    async def save_answer(
        self,
        response_id: int,
        question_id: str,
        value: str | None,
        other_text: str | None,
        at: datetime,
    ) -> StoredAnswer:
        """Store an answer, replacing an earlier one to the same question (an edit)."""
        program = save_answer_program(self.dialect, response_id, question_id, value, other_text, at)
        answer_id = await run_async(program, self.session.execute)
        return StoredAnswer(question_id, value, other_text, at, answer_id)

    async def delete_answers(
        self, response_id: int, question_ids: Iterable[str], at: datetime | None = None
    ) -> int:
        """Drop answers that skip logic no longer reaches; returns how many were removed."""
        program = drop_answers_program(
            self.dialect, response_id, question_ids, at or datetime.now(UTC)
        )
        return await run_async(program, self.session.execute)

    async def submit(
        self, response_id: int, profile: Mapping[str, str | None] | None, at: datetime
    ) -> bool:
        """Mark complete with a profile snapshot; False if it was already submitted."""
        return await run_async(submit_program(response_id, profile, at), self.session.execute)

    async def count(self, wave_id: int, status: str | None = None) -> int:
        """How many responses a wave has (of a status if given)."""
        stmt = select(func.count()).select_from(Response).where(Response.wave_id == wave_id)
        if status is not None:
            stmt = stmt.where(Response.status == status)
        return int(await self.session.scalar(stmt) or 0)

    async def iter_export_rows(
        self, wave_id: int, status: str | None = None
    ) -> AsyncIterator[ExportRow]:
        """Stream a wave's responses with their answers, one row per response, by id."""
        profile_columns: list[Any] = [
            func.coalesce(getattr(Response, name), getattr(Profile, name)).label(name)
            for name in PROFILE_FIELDS
        ]
        stmt = (
            select(
                Response.id,
                Response.respondent_ref,
                Response.mode,
                Response.status,
                Response.submitted_at,
                *profile_columns,
                Answer.question_id,
                Answer.value,
                Answer.other_text,
            )
            .outerjoin(Profile, Profile.respondent_id == Response.respondent_id)
            .outerjoin(Answer, Answer.response_id == Response.id)
            .where(Response.wave_id == wave_id)
            .order_by(Response.id, Answer.id)
        )
        if status is not None:
            stmt = stmt.where(Response.status == status)
        result = await self.session.stream(stmt.execution_options(yield_per=1000))
        current: ExportRow | None = None
        current_id: int | None = None
        async for row in result:
            if row[0] != current_id:
                if current is not None:
                    yield current
                current_id = row[0]
                current = ExportRow(
                    respondent=row[1],
                    mode=ResponseMode(row[2]),
                    status=row[3],
                    submitted_at=row[4],
                    profile={name: row[5 + i] for i, name in enumerate(PROFILE_FIELDS)},
                    answers={},
                )
            question_id, value, other_text = row[-3], row[-2], row[-1]
            if question_id is not None and current is not None:
                current.answers[question_id] = value
                if other_text:
                    current.other_texts[question_id] = other_text
        if current is not None:
            yield current
