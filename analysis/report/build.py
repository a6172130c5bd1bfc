"""Assemble an indicator's report from aggregated cells, weights and targets."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.report.model import (
    IndicatorReport,
    TrendPoint,
    WeightingSummary,
    in_display_order,
)
from analysis.stats.cells import BREAKDOWN_DIMENSIONS, CellTable, Subgroup
from analysis.stats.estimates import estimate_indicator
from analysis.stats.kpi import Target, kpi_progress
from analysis.stats.weighting import Weighting


def summarise_weighting(weighting: Weighting) -> WeightingSummary:
    """The report's view of a weighting: method, fields and respondents left out."""
    return WeightingSummary(
        weighting.method,
        weighting.dimensions,
        weighting.excluded_respondents,
        dict(weighting.missing_by_field),
        weighting.unmatched_respondents,
    )


def build_indicator(
    indicator_id: str,
    label: str,
    table: CellTable,
    weighting: Weighting,
    *,
    wave_name: str,
    subgroup: Subgroup | None = None,
    target: Target | None = None,
    year: int | None = None,
    earlier: Sequence[TrendPoint] = (),
    goal: int | None = None,
) -> IndicatorReport:
    """Estimate, breakdowns, per-mode values, KPI progress (if a target and year) and trend."""
    dims = [*BREAKDOWN_DIMENSIONS, "mode"]
    result = estimate_indicator(table, weighting, subgroup, dims)
    breakdowns = {dim: in_display_order(dim, cells) for dim, cells in result.breakdowns.items()}
    by_mode = breakdowns.pop("mode", ())
    overall = result.overall
    kpi = None
    if target is not None and year is not None and overall.share is not None:
        kpi = kpi_progress(target, overall.share * 100, year)
    current = TrendPoint(wave_name, overall.share, overall.ci_low, overall.ci_high)
    return IndicatorReport(
        id=indicator_id,
        label=label,
        estimate=overall,
        breakdowns=breakdowns,
        by_mode=by_mode,
        kpi=kpi,
        trend=(*earlier, current),
        goal=goal,
    )
