"""Aggregates for statistics: indicator cells read from the trigger-kept tally tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Integer, and_, case, func, select

from storage.errors import StorageError
from storage.models import AnswerTally, ResponseTally
from storage.records import PROFILE_FIELDS, IndicatorCell
from storage.repositories._base import Repository

DIMENSIONS: tuple[str, ...] = (*PROFILE_FIELDS, "mode")
Tally = type[AnswerTally] | type[ResponseTally]


def _column(table: Tally, name: str) -> Any:
    """A tally column for a breakdown dimension ('' stored for a missing value)."""
    if name not in DIMENSIONS:
        raise StorageError(f"unknown breakdown {name!r}; use {', '.join(DIMENSIONS)}")
    return getattr(table, name)


def _dimension(table: Tally, name: str) -> Any:
    """A breakdown dimension as reported: NULL where the profile value is missing."""
    return func.nullif(_column(table, name), "").label(name)


class AggregateRepository(Repository):
    """Counts over complete responses for indicators and their breakdowns."""

    async def indicator_cells(
        self,
        wave_id: int,
        question_id: str,
        yes_codes: Iterable[str],
        dims: Sequence[str] = (),
        mode: str | None = None,
        subgroup: dict[str, list[str]] | None = None,
    ) -> list[IndicatorCell]:
        """Rows of (breakdown values, yes count, valid count); only NULL answers are invalid."""
        columns = [_dimension(AnswerTally, name) for name in dims]
        codes = list(yes_codes)
        answered = AnswerTally.answered.is_(True)
        yes = and_(answered, AnswerTally.value.in_(codes)) if codes else None
        stmt = select(
            *columns,
            func.sum(case((yes, AnswerTally.total), else_=0) if yes is not None else 0).cast(
                Integer
            ),
            func.sum(case((answered, AnswerTally.total), else_=0)).cast(Integer),
        ).where(AnswerTally.wave_id == wave_id, AnswerTally.question_id == question_id)
        if mode is not None:
            stmt = stmt.where(AnswerTally.mode == mode)
        for name, values in (subgroup or {}).items():
            stmt = stmt.where(_column(AnswerTally, name).in_(list(values)))
        if columns:
            stmt = stmt.group_by(*columns).order_by(*columns)
        rows = await self.session.execute(stmt)
        cells = [
            IndicatorCell(
                dims=tuple(row[: len(columns)]),
                yes_count=int(row[len(columns)] or 0),
                valid_count=int(row[len(columns) + 1] or 0),
            )
            for row in rows
        ]
        return [cell for cell in cells if cell.valid_count or columns]

    async def answer_counts(
        self, wave_id: int, question_ids: Iterable[str], dims: Sequence[str] = ()
    ) -> list[tuple[Any, ...]]:
        """Answers of complete responses in one GROUP BY: (values..., question, value, n)."""
        columns = [_dimension(AnswerTally, name) for name in dims]
        value = case((AnswerTally.answered.is_(True), AnswerTally.value), else_=None)
        keys = [*columns, AnswerTally.question_id, value]
        stmt = (
            select(*keys, func.sum(AnswerTally.total).cast(Integer))
            .where(
                AnswerTally.wave_id == wave_id,
                AnswerTally.question_id.in_(sorted(set(question_ids))),
            )
            .group_by(*columns, AnswerTally.question_id, AnswerTally.answered, AnswerTally.value)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]

    async def completed_by(self, wave_id: int, dims: Sequence[str]) -> list[tuple[Any, ...]]:
        """Complete responses counted by breakdown values: rows of (values..., count)."""
        columns = [_dimension(ResponseTally, name) for name in dims]
        stmt = select(*columns, func.sum(ResponseTally.total).cast(Integer)).where(
            ResponseTally.wave_id == wave_id
        )
        if columns:
            stmt = stmt.group_by(*columns).order_by(*columns)
        rows = [tuple(row) for row in await self.session.execute(stmt)]
        return [row for row in rows if row[-1] is not None]
