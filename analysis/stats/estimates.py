"""Weighted shares with Kish's effective sample size, Wilson intervals and suppression."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.stats.cells import (
    BREAKDOWN_DIMENSIONS,
    Cell,
    CellTable,
    Subgroup,
    category_order,
    in_subgroup,
)
from analysis.stats.weighting import Weighting

Z95 = 1.959963984540054
"""The 97.5 % standard normal quantile."""
MIN_N_EFF = 30.0
"""Cells with a smaller effective sample size are suppressed."""


@dataclass(frozen=True)
class Estimate:
    """A share (proportion 0-1) with its 95 % Wilson interval; None values when suppressed."""

    share: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    """Unweighted count of valid answers."""
    n_eff: float
    weighted: bool
    suppressed: bool


@dataclass(frozen=True)
class BreakdownCell:
    """One category of a breakdown (e.g. age_band=20s) and its estimate."""

    category: str
    estimate: Estimate


@dataclass(frozen=True)
class IndicatorEstimates:
    """An indicator's overall estimate and its breakdowns by profile field."""

    overall: Estimate
    breakdowns: dict[str, tuple[BreakdownCell, ...]]


def kish_n_eff(weights: Sequence[float], counts: Sequence[int]) -> float:
    """Kish's effective sample size (Σw)²/Σw² for `counts[i]` respondents of weight `weights[i]`."""
    total = math.fsum(w * n for w, n in zip(weights, counts, strict=True))
    squares = math.fsum(w * w * n for w, n in zip(weights, counts, strict=True))
    return total * total / squares if squares > 0 else 0.0


def wilson_interval(share: float, n_eff: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a share observed with effective sample size n_eff."""
    if n_eff <= 0:
        raise ValueError("the Wilson interval needs a positive sample size")
    z2n = z * z / n_eff
    centre = share + z2n / 2
    spread = z * math.sqrt(share * (1 - share) / n_eff + z2n / (4 * n_eff))
    denominator = 1 + z2n
    low = (centre - spread) / denominator
    high = (centre + spread) / denominator
    return max(0.0, low), min(1.0, high)


def is_suppressed(n_eff: float) -> bool:
    """Whether an estimate rests on too few effective respondents (float noise forgiven)."""
    return round(n_eff, 9) < MIN_N_EFF


def estimate_share(
    cells: Sequence[Cell], weights: Sequence[float | None], weighted: bool
) -> Estimate:
    """Estimate the share of yes among valid answers over cells with their weights."""
    used = [(c, w) for c, w in zip(cells, weights, strict=True) if w is not None and c.valid > 0]
    n = sum(c.valid for c, _ in used)
    valid_weight = math.fsum(c.valid * w for c, w in used)
    n_eff = kish_n_eff([w for _, w in used], [c.valid for c, _ in used])
    if valid_weight <= 0 or is_suppressed(n_eff):
        return Estimate(None, None, None, n, n_eff, weighted, True)
    share = math.fsum(c.yes * w for c, w in used) / valid_weight
    low, high = wilson_interval(share, n_eff)
    return Estimate(share, low, high, n, n_eff, weighted, False)


def estimate_indicator(
    table: CellTable,
    weighting: Weighting,
    subgroup: Subgroup | None = None,
    dimensions: Sequence[str] = BREAKDOWN_DIMENSIONS,
) -> IndicatorEstimates:
    """Overall estimate and breakdowns; a subgroup filter keeps the whole-sample weights."""
    pairs = [
        (c, w)
        for c, w in zip(table.cells, weighting.weights, strict=True)
        if in_subgroup(c, subgroup)
    ]
    cells = [c for c, _ in pairs]
    weights = [w for _, w in pairs]
    overall = estimate_share(cells, weights, weighting.weighted)
    breakdowns: dict[str, tuple[BreakdownCell, ...]] = {}
    for dim in dimensions:
        values = [c.dims.get(dim) for c in cells]
        present = [
            v for v, w in zip(values, weights, strict=True) if v is not None and w is not None
        ]
        if not present:
            continue
        rows = []
        for category in category_order(dim, present):
            keep = [v == category for v in values]
            sub_cells = [c for c, k in zip(cells, keep, strict=True) if k]
            sub_weights = [w for w, k in zip(weights, keep, strict=True) if k]
            rows.append(
                BreakdownCell(category, estimate_share(sub_cells, sub_weights, weighting.weighted))
            )
        breakdowns[dim] = tuple(rows)
    return IndicatorEstimates(overall, breakdowns)
