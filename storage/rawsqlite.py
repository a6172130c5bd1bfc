"""The repositories' Core statements on a plain sqlite3 connection (see storage/compiled.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.sql import ClauseElement

from storage.compiled import CompiledStatements, RawResult


class RawConnection:
    """A sqlite3 connection in autocommit mode that runs Core statements (each compiled once)
    and explicit transactions."""

    def __init__(
        self,
        path: str,
        setup: Callable[[sqlite3.Connection], None],
        compiled: CompiledStatements,
    ) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        setup(self._connection)
        self._compiled = compiled

    def execute(self, statement: ClauseElement, params: Mapping[str, Any]) -> RawResult:
        """Run a Core statement with these parameters."""
        compiled = self._compiled(statement)
        sql, values = compiled.arguments(params)
        cursor = self._connection.execute(sql, values)
        try:
            raw = cursor.fetchall() if cursor.description else []
            return RawResult(compiled.rows(raw), cursor.rowcount)
        finally:
            cursor.close()

    def exec_driver_sql(self, sql: str) -> None:
        """Run plain SQL (BEGIN IMMEDIATE)."""
        self._connection.execute(sql).close()

    def commit(self) -> None:
        """Commit the open transaction."""
        self._connection.commit()

    def rollback(self) -> None:
        """Roll the open transaction back (nothing when none is open)."""
        self._connection.rollback()

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()
