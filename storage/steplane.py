"""The survey step's lane on SQLite: a step's read, and its write, each in one trip.

Through the async engine every statement on SQLite costs several hand-offs to aiosqlite's
thread and back (cursor, execute, fetch, close), and a writer holds SQLite's write lock across
all of them, so under load the lock waits on the event loop. The lane runs the step's programs
(storage/repositories/steps.py, the same a unit of work runs) on a plain sqlite3 connection to
the same file (storage/rawsqlite.py: compiled once, SQLAlchemy's own processors), on the loop: a
local SQLite file answers a step's few statements in well under a millisecond, less than one
hand-off to a thread costs. Only when another process holds a lock (SQLite says busy at once:
busy_timeout 0) does the trip move to a worker thread that waits for it, so the loop never
waits. A write (BEGIN IMMEDIATE … COMMIT) is taken in the process's writers' turn, so it never
meets a writer of this process. Other work keeps using the unit of work.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.compiled import CompiledStatements
from storage.db import sqlite_pragmas, writers_turn
from storage.rawsqlite import RawConnection
from storage.repositories._base import run_sync
from storage.repositories.inbox import ReceivedUpdate, mark_done_statement, record_one_statement
from storage.repositories.steps import ProgramOf, StepOperations

T = TypeVar("T")
Connection = RawConnection


class StepLane(StepOperations):
    """A resident's place in a wave read, and one answer stored, each in one trip."""

    dialect = "sqlite"

    def __init__(self, engine: AsyncEngine) -> None:
        self._turn = writers_turn(engine)
        path, compiled = str(engine.url.database), CompiledStatements(engine.dialect)
        self._at_once = RawConnection(path, _never_wait, compiled)
        self._with_wait_connection = RawConnection(path, _pragmas, compiled)
        self._waiting = ThreadPoolExecutor(1, thread_name_prefix="machikoe-step-lane")

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> StepLane | None:
        """A lane for a SQLite database file; None elsewhere (the unit of work is used)."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        return cls(engine)

    async def close(self) -> None:
        """Release the connections and the worker thread."""
        self._waiting.shutdown(wait=True)
        self._at_once.close()
        self._with_wait_connection.close()

    async def _trip(self, work: Callable[[Connection], T]) -> T:
        """Do the work right here when SQLite can take it at once (a local file answers in well
        under a millisecond, cheaper than any hand-off); when another process holds a lock,
        in the worker thread, which waits for it."""
        try:
            return work(self._at_once)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
        return await asyncio.get_running_loop().run_in_executor(
            self._waiting, work, self._with_wait_connection
        )

    async def _run_read(self, program: ProgramOf[T]) -> T:
        """A read on its own (autocommit)."""
        return await self._trip(lambda connection: run_sync(program(), connection.execute))

    async def _run_write(self, program: ProgramOf[T]) -> T:
        """A write in a transaction of its own, committed before it returns."""
        return await self._write(lambda connection: run_sync(program(), connection.execute))

    async def _write(self, work: Callable[[Connection], T]) -> T:
        """One write transaction in the writers' turn of this process (all of it or nothing)."""
        async with self._turn:
            return await self._trip(partial(_transaction, work=work))


def _transaction(connection: Connection, work: Callable[[Connection], T]) -> T:
    """BEGIN IMMEDIATE, the work, COMMIT; a failure rolls everything back."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        result = work(connection)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return result


def _pragmas(connection: sqlite3.Connection) -> None:
    """The pragmas of every connection to the database (WAL, foreign keys, busy timeout)."""
    sqlite_pragmas(connection, None)


def _never_wait(connection: sqlite3.Connection) -> None:
    """The usual pragmas, but a lock held elsewhere fails at once instead of being waited for."""
    sqlite_pragmas(connection, None)
    connection.execute("PRAGMA busy_timeout=0").close()


def _busy(error: sqlite3.OperationalError) -> bool:
    """SQLite said the database is busy or locked (another process is writing)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


# -- the inbox's writes (bot/telegram/inbox.py), apart from the step's operations ---------------
class SqliteInboxLane:
    """The inbox's writes on the step lane's connection: a batch recorded in one transaction,
    done marks in one statement.

    They do not queue in the writers' turn: polling waits for each record, and behind a
    queue of survey steps it would hold up every update after it. A write is tried right away
    instead (a few statements on the loop, done before anything else runs); only when SQLite
    says another connection holds its write lock does it wait for the turn."""

    def __init__(self, lane: StepLane) -> None:
        self._lane = lane

    async def record(
        self,
        updates: Sequence[ReceivedUpdate],
        owner: int,
        now: datetime,
        done: Sequence[int] = (),
    ) -> set[int]:
        """Mark `done` done and record updates for `owner`, in one transaction; the ids new, or
        recorded by `owner` and not handled."""
        return await self._now_or_in_turn(
            partial(_record_updates, updates=updates, owner=owner, now=now, done=done)
        )

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Mark handled updates done."""
        await self._now_or_in_turn(partial(_mark_updates_done, update_ids=update_ids))

    async def _now_or_in_turn(self, work: Callable[[Connection], T]) -> T:
        """One write transaction at once if SQLite's write lock is free, else in the turn."""
        try:
            return _transaction(self._lane._at_once, work)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
        return await self._lane._write(work)


def _record_updates(
    connection: Connection,
    updates: Sequence[ReceivedUpdate],
    owner: int,
    now: datetime,
    done: Sequence[int],
) -> set[int]:
    if done:
        _mark_updates_done(connection, done)
    new = set()
    for received in updates:
        found = connection.execute(*record_one_statement(received, owner, now)).scalar()
        if found is not None:
            new.add(int(found))
    return new


def _mark_updates_done(connection: Connection, update_ids: Sequence[int]) -> None:
    connection.execute(*mark_done_statement("sqlite", update_ids))
