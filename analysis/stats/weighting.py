"""Cell weights: none, post-stratification (one margin) or raking (several margins)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.stats.cells import CellTable
from analysis.stats.margins import Margins

TOTALS_TOLERANCE = 0.005
"""Margins whose totals differ by more than this share are rejected, smaller gaps rescaled."""


class WeightingError(ValueError):
    """Weights cannot be computed; the message is one line for staff."""


@dataclass(frozen=True)
class Weighting:
    """Weights per cell (None: excluded) and who could not be weighted."""

    method: str
    """`none`, `poststratify` or `rake`."""
    weights: tuple[float | None, ...]
    dimensions: tuple[str, ...] = ()
    missing_respondents: int = 0
    """Respondents excluded because a weighting field is empty in their profile."""
    unmatched_respondents: int = 0
    """Respondents excluded because a weighting field has a category absent from the margins."""
    missing_by_field: Mapping[str, int] = field(default_factory=dict)
    iterations: int = 0

    @property
    def weighted(self) -> bool:
        """Whether weights come from population margins."""
        return self.method != "none"

    @property
    def excluded_respondents(self) -> int:
        """Respondents left out of the weighted estimates, for the report."""
        return self.missing_respondents + self.unmatched_respondents


def unweighted(table: CellTable) -> Weighting:
    """Every respondent weighs 1."""
    return Weighting("none", tuple(1.0 for _ in table.cells))


def weigh(
    table: CellTable,
    margins: Margins | None,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> Weighting:
    """Weights for the table: unweighted without margins, post-stratified or raked otherwise."""
    if not margins:
        return unweighted(table)
    dims = tuple(margins)
    targets = _consistent_targets(margins)
    included: list[int] = []
    missing = unmatched = 0
    missing_by_field: dict[str, int] = {}
    for i, cell in enumerate(table.cells):
        values = [cell.dims.get(d) for d in dims]
        if any(v is None for v in values):
            missing += cell.respondents
            for d, v in zip(dims, values, strict=True):
                if v is None:
                    missing_by_field[d] = missing_by_field.get(d, 0) + cell.respondents
        elif any(v not in targets[d] for d, v in zip(dims, values, strict=True)):
            unmatched += cell.respondents
        elif cell.respondents > 0:
            included.append(i)
    _require_respondents(table, included, targets)
    counts = [float(table.cells[i].respondents) for i in included]
    keys = [tuple(str(table.cells[i].dims[d]) for d in dims) for i in included]
    factors = [1.0] * len(included)
    iterations = 0
    converged = False
    while iterations < max_iterations:
        iterations += 1
        change = 0.0
        for k, dim in enumerate(dims):
            totals: dict[str, float] = {}
            for key, n, f in zip(keys, counts, factors, strict=True):
                totals[key[k]] = totals.get(key[k], 0.0) + n * f
            ratio = {cat: targets[dim][cat] / total for cat, total in totals.items()}
            for j, key in enumerate(keys):
                factors[j] *= ratio[key[k]]
            change = max(change, max(abs(r - 1.0) for r in ratio.values()))
        if len(dims) == 1 or change < tolerance:
            converged = True
            break
    if not converged:
        raise WeightingError(
            f"raking did not converge in {max_iterations} iterations; "
            "merge sparse categories or use fewer dimensions"
        )
    weights: list[float | None] = [None] * len(table.cells)
    for i, f in zip(included, factors, strict=True):
        weights[i] = f
    for i, cell in enumerate(table.cells):
        if cell.respondents == 0 and all(cell.dims.get(d) in targets[d] for d in dims):
            weights[i] = 0.0
    return Weighting(
        "poststratify" if len(dims) == 1 else "rake",
        tuple(weights),
        dims,
        missing,
        unmatched,
        missing_by_field,
        iterations,
    )


def _consistent_targets(margins: Margins) -> dict[str, dict[str, float]]:
    """Population targets per dimension, rescaled to the first dimension's total."""
    dims = list(margins)
    base = sum(margins[dims[0]].values())
    targets: dict[str, dict[str, float]] = {}
    for dim in dims:
        total = sum(margins[dim].values())
        if abs(total - base) > TOTALS_TOLERANCE * base:
            raise WeightingError(
                f"margins disagree: {dims[0]} totals {base:,} but {dim} totals {total:,}"
            )
        targets[dim] = {cat: pop * base / total for cat, pop in margins[dim].items()}
    return targets


def _require_respondents(
    table: CellTable, included: list[int], targets: Mapping[str, Mapping[str, float]]
) -> None:
    """Fail clearly when a margin category has no weightable respondent."""
    for dim, categories in targets.items():
        seen = {table.cells[i].dims[dim] for i in included}
        for cat in categories:
            if cat not in seen:
                raise WeightingError(
                    f"no respondents with {dim}={cat} to weight to its population; "
                    "merge it with a neighbouring category or drop the dimension"
                )


def weighted_total(table: CellTable, weighting: Weighting) -> float:
    """Sum of the weights of all weighted respondents."""
    return math.fsum(
        c.respondents * w for c, w in zip(table.cells, weighting.weights, strict=True) if w
    )
