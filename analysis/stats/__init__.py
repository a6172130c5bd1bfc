"""Indicator statistics over aggregated cells: weighting, estimates, KPI progress."""

from analysis.stats.cells import AGE_BANDS, Cell, CellTable, Subgroup
from analysis.stats.estimates import (
    BreakdownCell,
    Estimate,
    IndicatorEstimates,
    estimate_indicator,
    estimate_share,
    kish_n_eff,
    wilson_interval,
)
from analysis.stats.kpi import KpiProgress, Target, TargetsError, kpi_progress, load_targets
from analysis.stats.margins import Margins, MarginsError, load_margins, parse_margins
from analysis.stats.weighting import Weighting, WeightingError, unweighted, weigh

__all__ = [
    "AGE_BANDS",
    "BreakdownCell",
    "Cell",
    "CellTable",
    "Estimate",
    "IndicatorEstimates",
    "KpiProgress",
    "Margins",
    "MarginsError",
    "Subgroup",
    "Target",
    "TargetsError",
    "Weighting",
    "WeightingError",
    "estimate_indicator",
    "estimate_share",
    "kish_n_eff",
    "kpi_progress",
    "load_margins",
    "load_targets",
    "parse_margins",
    "unweighted",
    "weigh",
    "wilson_interval",
]
