"""The survey step's lane on PostgreSQL: a step's read in one round trip, its write in one.

Through the unit of work a step took seven round trips to the server (the pool's ping, BEGIN,
two reads, two writes, COMMIT), each costing the bot more CPU than the statement itself. The
lane runs the step's programs (storage/repositories/steps.py, the same a unit of work runs;
compiled once, storage/compiled.py) straight on asyncpg connections of its own pool, each
statement on its own (autocommit): one that reads the wave and the resident in it, then one
that stamps the open response, upserts the answer and drops what skip logic no longer reaches.
Every step operation can safely run twice, so a connection that broke (the server restarted)
is simply replaced and the operation run again, instead of pinging before every use.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ClauseElement

from storage.compiled import CompiledStatements, RawResult
from storage.repositories._base import run_async
from storage.repositories.inbox import ReceivedUpdate, mark_done_statement, record_batch_statement
from storage.repositories.steps import ProgramOf, StepOperations

T = TypeVar("T")
POOL_SIZE = 8
"""Connections of the lane's own pool (a step holds one for well under a millisecond)."""
BROKEN = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
    ConnectionError,
)
"""What a connection the server dropped (or is dropping: a restart) raises, depending on
where in its exchange the drop found it."""


class PgConnection:
    """An asyncpg connection that runs Core statements, each compiled once."""

    def __init__(self, connection: asyncpg.Connection, compiled: CompiledStatements) -> None:
        self._connection = connection
        self._compiled = compiled

    async def execute(self, statement: ClauseElement, params: Mapping[str, Any]) -> RawResult:
        """Run a Core statement with these parameters (on its own: autocommit)."""
        compiled = self._compiled(statement)
        sql, values = compiled.arguments(params)
        if compiled.results:
            raw = await self._connection.fetch(sql, *values)
            return RawResult(compiled.rows([tuple(record) for record in raw]), len(raw))
        status = await self._connection.execute(sql, *values)
        return RawResult([], int(status.rsplit(" ", 1)[-1]))


class PostgresStepLane(StepOperations):
    """A resident's place in a wave read, and one answer stored, in a round trip each."""

    dialect = "postgresql"

    def __init__(self, engine: AsyncEngine, size: int = POOL_SIZE) -> None:
        self._compiled = CompiledStatements(engine.dialect)
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._size = size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> PostgresStepLane | None:
        """A lane for PostgreSQL through asyncpg; None elsewhere."""
        if engine.dialect.name != "postgresql" or engine.dialect.driver != "asyncpg":
            return None
        return cls(engine)

    async def close(self) -> None:
        """Close the lane's connections."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _connections(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=1,
                    max_size=self._size,
                    init=_json_codecs,
                    reset=_nothing_to_reset,
                )
        return self._pool

    async def _trip(self, work: Callable[[PgConnection], Awaitable[T]]) -> T:
        """Run the work on a pooled connection; once more on another if that one broke."""
        pool = await self._connections()
        try:
            async with pool.acquire() as connection:
                return await work(PgConnection(connection, self._compiled))
        except BROKEN:
            await pool.expire_connections()  # the others date from before the break too
        async with pool.acquire() as connection:
            return await work(PgConnection(connection, self._compiled))

    async def _run_read(self, program: ProgramOf[T]) -> T:
        """A read on a pooled connection."""
        return await self._trip(lambda connection: run_async(program(), connection.execute))

    async def _run_write(self, program: ProgramOf[T]) -> T:
        """Each statement on its own (autocommit): the step's programs are safe to run again."""
        return await self._trip(lambda connection: run_async(program(), connection.execute))


async def _json_codecs(connection: asyncpg.Connection) -> None:
    """JSON columns as Python values, as SQLAlchemy's asyncpg dialect sets them up."""
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """The lane leaves no session state behind (no open transaction, LISTEN or SET), so a
    connection goes back to the pool without asyncpg's reset query (a round trip each time)."""


# -- the inbox's writes (bot/telegram/inbox.py), apart from the step's operations ---------------
class PostgresInboxLane:
    """The inbox's writes on the step lane's pool: a batch recorded in one statement (one
    round trip), done marks in one."""

    def __init__(self, lane: PostgresStepLane) -> None:
        self._lane = lane

    async def record(
        self,
        updates: Sequence[ReceivedUpdate],
        owner: int,
        now: datetime,
        done: Sequence[int] = (),
    ) -> set[int]:
        """Mark `done` done, then record updates for `owner` (on one connection, each on its
        own); the ids new, or recorded by `owner` and not handled, so that a second run (the
        lane retries on a broken connection) gives the same answer."""

        async def work(connection: PgConnection) -> set[int]:
            if done:
                await connection.execute(*mark_done_statement("postgresql", done))
            rows = await connection.execute(*record_batch_statement(updates, owner, now))
            return {int(row[0]) for row in rows}

        return await self._lane._trip(work)

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Mark handled updates done."""

        async def work(connection: PgConnection) -> None:
            await connection.execute(*mark_done_statement("postgresql", update_ids))

        await self._lane._trip(work)
