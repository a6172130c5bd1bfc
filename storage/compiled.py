"""Core statements compiled once and run on a driver connection, with SQLAlchemy's processors.

SQLAlchemy spends most of a small statement's time around it (execution context, result
objects), not in the database. The survey step's few statements are compiled once, with
SQLAlchemy's own bind and result processors (dates, JSON), and then run straight on the driver
(sqlite3 in storage/rawsqlite.py, asyncpg in storage/pglane.py): the same SQL and the same
values as through an engine, in a fraction of the time.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


class CompiledStatement:
    """One Core statement compiled for a dialect: SQL, parameter order, processors, row type."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.defaults: dict[str, Any] = dict(compiled.construct_params(_check=False))
        self.binds: tuple[Processor, ...] = tuple(
            cast(Processor, compiled._bind_processors.get(name)) for name in self.names
        )
        self.expanding = frozenset(name for name, bind in compiled.binds.items() if bind.expanding)
        columns = compiled._result_columns
        self.results: tuple[Processor, ...] = tuple(
            column[3]._cached_result_processor(dialect, None) for column in columns
        )
        self.row = namedtuple("Row", [column[0] for column in columns], rename=True)  # type: ignore[misc]

    def arguments(self, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL (expanding IN lists spelled out) and its positional values."""
        sql, values = self.sql, []
        merged = {**self.defaults, **params}
        for name, process in zip(self.names, self.binds, strict=True):
            value = merged[name]
            if name in self.expanding:
                items = list(value)
                if not items:
                    raise ValueError(f"the list {name!r} is empty")
                placeholders = ", ".join("?" * len(items))
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", placeholders, 1)
                values += [process(item) for item in items] if process else items
            else:
                values.append(process(value) if process else value)
        return sql, values

    def rows(self, raw: list[tuple[Any, ...]]) -> list[Any]:
        """Rows as SQLAlchemy returns them: processed values, by position and by name."""
        results, row = self.results, self.row
        if not any(results):
            return [row(*values) for values in raw]
        return [
            row(*(p(v) if p else v for p, v in zip(results, values, strict=True))) for values in raw
        ]


class RawResult:
    """The part of SQLAlchemy's Result the step's statements use."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        """Every row."""
        return self._rows

    def first(self) -> Any:
        """The first row, or None."""
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        """The first column of the first row, or None."""
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        """The first column of the only row."""
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self._rows[0][0]


class CompiledStatements:
    """Each statement compiled once for a dialect (the repositories' statements are built
    once, so they are known by identity)."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._compiled: dict[int, tuple[ClauseElement, CompiledStatement]] = {}

    def __call__(self, statement: ClauseElement) -> CompiledStatement:
        found = self._compiled.get(id(statement))
        if found is None or found[0] is not statement:
            found = self._compiled[id(statement)] = (
                statement,
                CompiledStatement(statement, self._dialect),
            )
        return found[1]
