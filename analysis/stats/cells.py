"""Cells of an aggregate query: profile values with respondent, yes and valid counts."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

AGE_BANDS: tuple[str, ...] = ("18-19", "20s", "30s", "40s", "50s", "60s", "70plus")
BREAKDOWN_DIMENSIONS: tuple[str, ...] = ("age_band", "sex", "district")

Subgroup = Mapping[str, Collection[str]]
"""A subgroup filter: profile field -> the values kept (e.g. age_band in 18-19/20s/30s)."""


@dataclass(frozen=True)
class Cell:
    """One GROUP BY row: profile values, complete responses, the indicator's yes/valid."""

    dims: Mapping[str, str | None]
    respondents: int
    yes: int
    valid: int

    def __post_init__(self) -> None:
        if self.respondents < 0 or self.yes < 0 or self.valid < 0:
            raise ValueError(f"cell {dict(self.dims)}: counts must not be negative")
        if self.yes > self.valid:
            raise ValueError(f"cell {dict(self.dims)}: yes ({self.yes}) exceeds valid")
        if self.valid > self.respondents:
            raise ValueError(
                f"cell {dict(self.dims)}: valid ({self.valid}) exceeds respondents "
                f"({self.respondents})"
            )


@dataclass(frozen=True)
class CellTable:
    """All cells of one wave and indicator."""

    cells: tuple[Cell, ...] = field(default_factory=tuple)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]], dims: Collection[str]) -> CellTable:
        """Build a table from mappings with the dims plus `respondents`, `yes` and `valid`."""
        cells = []
        for row in rows:
            values = {d: _dim_value(row.get(d)) for d in dims}
            counts = [int(str(row[k])) for k in ("respondents", "yes", "valid")]
            cells.append(Cell(values, *counts))
        return cls(tuple(cells))

    @classmethod
    def from_counts(
        cls,
        dims: Sequence[str],
        respondents: Iterable[Sequence[object]],
        answers: Iterable[tuple[Sequence[object], int, int]],
    ) -> CellTable:
        """Join complete-response counts `(values..., count)` with `(values, yes, valid)` rows."""
        merged: dict[tuple[str | None, ...], list[int]] = {}
        for row in respondents:
            key = tuple(_dim_value(v) for v in row[: len(dims)])
            merged.setdefault(key, [0, 0, 0])[0] += int(str(row[len(dims)]))
        for values, yes, valid in answers:
            key = tuple(_dim_value(v) for v in values)
            if key not in merged:
                raise ValueError(
                    f"answers for {dict(zip(dims, key, strict=True))} but no responses"
                )
            merged[key][1] += yes
            merged[key][2] += valid
        return cls(
            tuple(
                Cell(dict(zip(dims, key, strict=True)), n, yes, valid)
                for key, (n, yes, valid) in merged.items()
            )
        )

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def respondents(self) -> int:
        """Complete responses in the table."""
        return sum(c.respondents for c in self.cells)


def _dim_value(value: object) -> str | None:
    """Normalise a profile value: empty or missing becomes None."""
    if value is None or value == "":
        return None
    return str(value)


def in_subgroup(cell: Cell, subgroup: Subgroup | None) -> bool:
    """Whether a cell belongs to a subgroup (no subgroup: every cell does)."""
    if not subgroup:
        return True
    return all(cell.dims.get(dim) in set(values) for dim, values in subgroup.items())


def category_order(dim: str, values: Iterable[str]) -> list[str]:
    """Order a dimension's categories: age bands by age, anything else alphabetically."""
    present = set(values)
    if dim == "age_band":
        known = [a for a in AGE_BANDS if a in present]
        return known + sorted(present - set(AGE_BANDS))
    return sorted(present)
