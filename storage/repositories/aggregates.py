"""Aggregates for statistics: indicator cells computed with one GROUP BY in the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Integer, case, func, select

from storage.errors import StorageError
from storage.models import Answer, Response
from storage.records import PROFILE_FIELDS, IndicatorCell
from storage.repositories._base import Repository

DIMENSIONS: tuple[str, ...] = (*PROFILE_FIELDS, "mode")


def _dimension(name: str) -> Any:
    """The responses column for a breakdown dimension."""
    if name not in DIMENSIONS:
        raise StorageError(f"unknown breakdown {name!r}; use {', '.join(DIMENSIONS)}")
    return getattr(Response, name)


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
        columns = [_dimension(name) for name in dims]
        codes = list(yes_codes)
        yes = func.sum(case((Answer.value.in_(codes), 1), else_=0)) if codes else None
        stmt = (
            select(
                *columns,
                (yes if yes is not None else func.sum(0)).cast(Integer),
                func.count(Answer.value),
            )
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(
                Answer.question_id == question_id,
                Response.wave_id == wave_id,
                Response.status == "complete",
            )
        )
        if mode is not None:
            stmt = stmt.where(Response.mode == mode)
        for name, values in (subgroup or {}).items():
            stmt = stmt.where(_dimension(name).in_(list(values)))
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
        columns = [_dimension(name) for name in dims]
        keys = [*columns, Answer.question_id, Answer.value]
        stmt = (
            select(*keys, func.count())
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(
                Answer.question_id.in_(sorted(set(question_ids))),
                Response.wave_id == wave_id,
                Response.status == "complete",
            )
            .group_by(*keys)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]

    async def completed_by(self, wave_id: int, dims: Sequence[str]) -> list[tuple[Any, ...]]:
        """Complete responses counted by breakdown values: rows of (values..., count)."""
        columns = [_dimension(name) for name in dims]
        stmt = select(*columns, func.count()).where(
            Response.wave_id == wave_id, Response.status == "complete"
        )
        if columns:
            stmt = stmt.group_by(*columns).order_by(*columns)
        return [tuple(row) for row in await self.session.execute(stmt)]
