"""The survey step's writes to a response, written once: its Core statements and the programs
that run them (on a unit of work's session, or on a step lane's own connection)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Delete,
    Select,
    String,
    Table,
    Update,
    any_,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from storage.errors import ResponseClosedError, StorageError
from storage.models import Answer, Response
from storage.records import PROFILE_FIELDS, ResponseRecord
from storage.repositories._base import Program, Query, insert_on_conflict, rowcount
from surveys.modes import ResponseMode
from surveys.status import ResponseStatus


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
            status=ResponseStatus.PARTIAL,
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
        .where(Response.id == bindparam("p_response"), Response.status == ResponseStatus.PARTIAL)
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
    # the table, not the entity: an ORM INSERT … SELECT would be taken for a bulk insert
    upsert = postgresql.insert(cast(Table, Answer.__table__)).from_select(
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
def _delete_answers_query(dialect: str) -> Delete:
    # asyncpg numbers its parameters, so a list is one array there, not an expanded IN
    if dialect == "postgresql":
        named = Answer.question_id == any_(bindparam("p_questions", type_=ARRAY(String)))
    else:
        named = Answer.question_id.in_(bindparam("p_questions", expanding=True))
    return delete(Answer).where(Answer.response_id == bindparam("p_response"), named)


def delete_answers_statement(dialect: str, response_id: int, question_ids: list[str]) -> Query:
    """Remove these questions' answers from the response."""
    return _delete_answers_query(dialect), {"p_response": response_id, "p_questions": question_ids}


@cache
def _submit_query() -> Update:
    snapshot: dict[str, Any] = {name: bindparam(f"p_{name}") for name in PROFILE_FIELDS}
    return (
        update(Response)
        .where(Response.id == bindparam("p_response"), Response.status == ResponseStatus.PARTIAL)
        .values(
            status=ResponseStatus.COMPLETE,
            submitted_at=bindparam("p_at"),
            updated_at=bindparam("p_at"),
        )
        .values(**snapshot)
    )


def submit_statement(
    response_id: int, profile: Mapping[str, str | None] | None, at: datetime
) -> Query:
    """Mark the response complete with a profile snapshot (no row changes once submitted)."""
    snapshot = {f"p_{name}": value for name, value in profile_snapshot(profile).items()}
    return _submit_query(), {"p_response": response_id, "p_at": at, **snapshot}


def start_program(
    dialect: str,
    wave_id: int,
    respondent_id: int,
    respondent_ref: str,
    at: datetime,
    mode: ResponseMode = ResponseMode.CHAT,
) -> Program[ResponseRecord]:
    """The resident's response to the wave, started now if there is none (idempotent)."""
    yield start_statement(dialect, wave_id, respondent_id, respondent_ref, at, mode)
    row = (yield response_for_statement(wave_id, respondent_id)).first()
    if row is None:
        raise reference_taken_error(wave_id, respondent_ref)
    return response_record(row)


def _refuse_closed(response_id: int) -> Program[None]:
    """Raise why the response takes no answer (missing or submitted)."""
    status = (yield status_statement(response_id)).scalar()
    raise not_open_error(response_id, status)


def save_answer_program(
    dialect: str,
    response_id: int,
    question_id: str,
    value: str | None,
    other_text: str | None,
    at: datetime,
    drop: Iterable[str] = (),
) -> Program[int]:
    """Stamp the open response, upsert one answer (an edit replaces the earlier one) and drop
    the answers skip logic no longer reaches; the answer's id. Raises ResponseClosedError
    once the response is submitted (PostgreSQL does it all in one statement)."""
    dropped = list(drop)
    if dialect == "postgresql":
        statement = store_open_answer_statement(
            response_id, question_id, value, other_text, at, dropped
        )
        stored = (yield statement).scalar()
        if stored is None:
            yield from _refuse_closed(response_id)
        return int(stored)
    if not rowcount((yield touch_open_statement(response_id, at))):
        yield from _refuse_closed(response_id)
    statement = save_answer_statement(dialect, response_id, question_id, value, other_text, at)
    answer_id = int((yield statement).scalar_one())
    if dropped:
        yield delete_answers_statement(dialect, response_id, dropped)
    return answer_id


def drop_answers_program(
    dialect: str, response_id: int, question_ids: Iterable[str], at: datetime
) -> Program[int]:
    """Remove these questions' answers from the open response; how many were removed."""
    ids = list(question_ids)
    if not ids:
        return 0
    if not rowcount((yield touch_open_statement(response_id, at))):
        yield from _refuse_closed(response_id)
    return rowcount((yield delete_answers_statement(dialect, response_id, ids)))


def submit_program(
    response_id: int, profile: Mapping[str, str | None] | None, at: datetime
) -> Program[bool]:
    """Mark the response complete with a profile snapshot; False if it already was."""
    return bool(rowcount((yield submit_statement(response_id, profile, at))))
