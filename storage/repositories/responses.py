"""Responses and answers: committed at every step, never changed once submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    Delete,
    Select,
    String,
    Update,
    any_,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from storage.errors import ResponseClosedError, StorageError
from storage.models import Answer, Profile, Response
from storage.records import (
    PROFILE_FIELDS,
    ExportRow,
    ResponseRecord,
    StoredAnswer,
)
from storage.repositories._base import Query, Repository, insert_on_conflict, rowcount
from surveys.modes import ResponseMode


def response_record(row: Any) -> ResponseRecord:
    """ORM row (or a Core row of the responses table) to record."""
    return ResponseRecord(
        id=row.id,
        wave_id=row.wave_id,
        respondent_id=row.respondent_id,
        respondent_ref=row.respondent_ref,
        mode=ResponseMode(row.mode),
        status=row.status,
        started_at=row.started_at,
        updated_at=row.updated_at,
        submitted_at=row.submitted_at,
        profile={name: getattr(row, name) for name in PROFILE_FIELDS},
    )


def profile_snapshot(profile: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """The four profile fields to copy onto a submitted response."""
    profile = profile or {}
    return {name: profile.get(name) for name in PROFILE_FIELDS}


@cache
def _start_query(dialect: str) -> Any:
    return (
        insert_on_conflict(dialect, Response)
        .values(
            wave_id=bindparam("p_wave"),
            respondent_id=bindparam("p_respondent"),
            respondent_ref=bindparam("p_ref"),
            mode=bindparam("p_mode"),
            status="partial",
            started_at=bindparam("p_at"),
            updated_at=bindparam("p_at"),
        )
        .on_conflict_do_nothing()
    )


def start_statement(
    dialect: str,
    wave_id: int,
    respondent_id: int,
    respondent_ref: str,
    at: datetime,
    mode: ResponseMode = ResponseMode.CHAT,
) -> Query:
    """INSERT a response in this mode (channel) unless the resident has one for the wave."""
    params = {"p_wave": wave_id, "p_respondent": respondent_id, "p_ref": respondent_ref}
    return _start_query(dialect), {**params, "p_at": at, "p_mode": mode.value}


@cache
def _response_for_query() -> Select[Any]:
    return select(Response.__table__).where(
        Response.wave_id == bindparam("p_wave"), Response.respondent_id == bindparam("p_resp")
    )


def response_for_statement(wave_id: int, respondent_id: int) -> Query:
    """The resident's response to the wave (the responses table's columns)."""
    return _response_for_query(), {"p_wave": wave_id, "p_resp": respondent_id}


@cache
def _touch_open_query() -> Update:
    return (
        update(Response)
        .where(Response.id == bindparam("p_response"), Response.status == "partial")
        .values(updated_at=bindparam("p_at"))
    )


def touch_open_statement(response_id: int, at: datetime) -> Query:
    """Stamp the response if still open; changes no row once it is submitted."""
    return _touch_open_query(), {"p_response": response_id, "p_at": at}


@cache
def _status_query() -> Select[Any]:
    return select(Response.status).where(Response.id == bindparam("p_response"))


def status_statement(response_id: int) -> Query:
    """The response's status."""
    return _status_query(), {"p_response": response_id}


def reference_taken_error(wave_id: int, respondent_ref: str) -> StorageError:
    """The response reference belongs to another respondent's response in the wave."""
    return StorageError(f"response reference {respondent_ref!r} is already used in wave {wave_id}")


def not_open_error(response_id: int, status: str | None) -> StorageError:
    """Why an answer cannot be stored: the response is missing or already submitted."""
    if status is None:
        return StorageError(f"response {response_id} does not exist")
    return ResponseClosedError("this response is already submitted and cannot change")


@cache
def _save_answer_query(dialect: str) -> Any:
    values: dict[str, Any] = {
        "value": bindparam("p_value"),
        "other_text": bindparam("p_other"),
        "answered_at": bindparam("p_at"),
    }
    return (
        insert_on_conflict(dialect, Answer)
        .values(response_id=bindparam("p_response"), question_id=bindparam("p_question"), **values)
        .on_conflict_do_update(index_elements=["response_id", "question_id"], set_=values)
        .returning(Answer.id)
    )


def save_answer_statement(
    dialect: str,
    response_id: int,
    question_id: str,
    value: str | None,
    other_text: str | None,
    at: datetime,
) -> Query:
    """Upsert one answer (an edit replaces the earlier one), returning its id."""
    params = {"p_response": response_id, "p_question": question_id}
    return _save_answer_query(dialect), {
        **params,
        "p_value": value,
        "p_other": other_text,
        "p_at": at,
    }


@cache
def _store_open_answer_query() -> Any:
    touched = _touch_open_query().returning(Response.id).cte("touched")
    dropped = (
        delete(Answer)
        .where(
            Answer.response_id.in_(select(touched.c.id)),
            Answer.question_id == any_(bindparam("p_drop", type_=ARRAY(String))),
        )
        .cte("dropped")
    )
    values = select(
        touched.c.id,
        bindparam("p_question", type_=String),
        bindparam("p_value", type_=String),
        bindparam("p_other", type_=String),
        bindparam("p_at", type_=Answer.answered_at.type),
    )
    upsert = postgresql.insert(Answer).from_select(
        ["response_id", "question_id", "value", "other_text", "answered_at"], values
    )
    replaced = {name: upsert.excluded[name] for name in ("value", "other_text", "answered_at")}
    return (
        upsert.on_conflict_do_update(index_elements=["response_id", "question_id"], set_=replaced)
        .returning(Answer.id)
        .add_cte(dropped)
    )


def store_open_answer_statement(
    response_id: int,
    question_id: str,
    value: str | None,
    other_text: str | None,
    at: datetime,
    drop: Iterable[str] = (),
) -> Query:
    """PostgreSQL, in one statement: stamp the response if still open, upsert the answer, and
    drop the answers skip logic no longer reaches. No row comes back (and nothing changes)
    when the response is submitted or missing."""
    return _store_open_answer_query(), {
        "p_response": response_id,
        "p_question": question_id,
        "p_value": value,
        "p_other": other_text,
        "p_at": at,
        "p_drop": list(drop),
    }


@cache
def _delete_answers_query() -> Delete:
    return delete(Answer).where(
        Answer.response_id == bindparam("p_response"),
        Answer.question_id.in_(bindparam("p_questions", expanding=True)),
    )


def delete_answers_statement(response_id: int, question_ids: list[str]) -> Query:
    """Remove these questions' answers from the response."""
    return _delete_answers_query(), {"p_response": response_id, "p_questions": question_ids}


@cache
def _submit_query() -> Update:
    snapshot: dict[str, Any] = {name: bindparam(f"p_{name}") for name in PROFILE_FIELDS}
    return (
        update(Response)
        .where(Response.id == bindparam("p_response"), Response.status == "partial")
        .values(status="complete", submitted_at=bindparam("p_at"), updated_at=bindparam("p_at"))
        .values(**snapshot)
    )


def submit_statement(
    response_id: int, profile: Mapping[str, str | None] | None, at: datetime
) -> Query:
    """Mark the response complete with a profile snapshot (no row changes once submitted)."""
    snapshot = {f"p_{name}": value for name, value in profile_snapshot(profile).items()}
    return _submit_query(), {"p_response": response_id, "p_at": at, **snapshot}


class ResponseRepository(Repository):
    """Responses to waves and their answers."""

    async def start(
        self,
        wave_id: int,
        respondent_id: int,
        respondent_ref: str,
        at: datetime,
        mode: ResponseMode = ResponseMode.CHAT,
    ) -> ResponseRecord:
        """The resident's response to the wave, started now if there is none (idempotent)."""
        await self.session.execute(
            *start_statement(self.dialect, wave_id, respondent_id, respondent_ref, at, mode)
        )
        found = await self.get_for(wave_id, respondent_id)
        if found is None:
            raise reference_taken_error(wave_id, respondent_ref)
        return found

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

    async def _touch_open(self, response_id: int, at: datetime) -> None:
        """Lock the response by stamping it; refuse if it is submitted or missing."""
        if rowcount(await self.session.execute(*touch_open_statement(response_id, at))):
            return
        status = await self.session.scalar(*status_statement(response_id))
        raise not_open_error(response_id, status)

    async def save_answer(
        self,
        response_id: int,
        question_id: str,
        value: str | None,
        other_text: str | None,
        at: datetime,
    ) -> StoredAnswer:
        """Store an answer, replacing an earlier one to the same question (an edit)."""
        await self._touch_open(response_id, at)
        stmt = save_answer_statement(self.dialect, response_id, question_id, value, other_text, at)
        answer_id = (await self.session.execute(*stmt)).scalar_one()
        return StoredAnswer(question_id, value, other_text, at, int(answer_id))

    async def delete_answers(
        self, response_id: int, question_ids: Iterable[str], at: datetime | None = None
    ) -> int:
        """Drop answers that skip logic no longer reaches; returns how many were removed."""
        ids = list(question_ids)
        if not ids:
            return 0
        await self._touch_open(response_id, at or datetime.now(UTC))
        result = await self.session.execute(*delete_answers_statement(response_id, ids))
        return rowcount(result)

    async def submit(
        self, response_id: int, profile: Mapping[str, str | None] | None, at: datetime
    ) -> bool:
        """Mark complete with a profile snapshot; False if it was already submitted."""
        result = await self.session.execute(*submit_statement(response_id, profile, at))
        return bool(rowcount(result))

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
