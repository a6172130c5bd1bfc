"""Shared helpers for repositories: the session holder and dialect-aware INSERT."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, cast, func, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from surveys import codec

Query = tuple[Any, dict[str, Any]]
"""A prebuilt statement and its parameters: `execute(*query)`. Built once, a statement keeps
its cache key and result layout, which SQLAlchemy would otherwise work out on every call."""
T = TypeVar("T")
Program = Generator[Query, Any, T]
"""A storage operation written once as the statements it runs: each yielded query's result is
sent back in, so a unit of work's session, a plain sqlite3 connection and an asyncpg one all
run the same code (`run_sync`, `run_async`)."""


def run_sync(program: Program[T], execute: Callable[..., Any]) -> T:
    """Run a program's statements, one after the other, on a synchronous connection."""
    try:
        query = next(program)
        while True:
            query = program.send(execute(*query))
    except StopIteration as done:
        return done.value


async def run_async(program: Program[T], execute: Callable[..., Awaitable[Any]]) -> T:
    """Run a program's statements, one after the other, on an asynchronous connection."""
    try:
        query = next(program)
        while True:
            query = program.send(await execute(*query))
    except StopIteration as done:
        return done.value


class Repository:
    """Base of every repository: holds the unit of work's session, flushes, never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        """The backend's name: 'sqlite' or 'postgresql'."""
        bind = self.session.bind
        if bind is None:
            raise RuntimeError("session is not bound to an engine")
        return bind.dialect.name

    def insert_on_conflict(self, table: Any) -> Any:
        """An INSERT that supports ON CONFLICT on this backend."""
        return insert_on_conflict(self.dialect, table)

    def constant(self, value: Any, type_: Any) -> ColumnElement[Any]:
        """A typed constant for INSERT ... SELECT (PostgreSQL needs an explicit cast)."""
        bound = literal(value, type_)
        return cast(bound, type_) if self.dialect == "postgresql" else bound


def insert_on_conflict(dialect: str, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT on the named backend."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Any) -> int:
    """Rows a statement changed (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


def join_codes(codes: Any) -> str | None:
    """Goal codes in their stored form (None or empty gives None)."""
    if codes is None:
        return None
    if isinstance(codes, str):
        return codes or None
    return codec.join_codes(str(code) for code in codes) or None


def padded_codes(codes: Any) -> ColumnElement[str]:
    """Stored codes between separators (`;a;b;`), so that one code is found with LIKE."""
    separator = literal(codec.CODE_SEPARATOR)
    return separator + func.coalesce(codes, "") + separator


def code_pattern(code: str) -> str:
    """The LIKE pattern of one code in `padded_codes`."""
    return f"%{codec.CODE_SEPARATOR}{code}{codec.CODE_SEPARATOR}%"


def holds_code(codes: Any, code: str) -> ColumnElement[bool]:
    """Whether stored codes (a column or expression, None for none) hold this code."""
    return padded_codes(codes).like(code_pattern(code))
