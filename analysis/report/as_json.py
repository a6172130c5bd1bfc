"""The report as JSON-ready data; shares, intervals and KPI values are percentages (0-100)."""

from __future__ import annotations

from typing import Any

from analysis.report.model import IndicatorReport, WaveReport, percent
from analysis.stats.estimates import Estimate
from analysis.stats.kpi import KpiProgress


def estimate_fields(estimate: Estimate) -> dict[str, Any]:
    """value/ci_low/ci_high in percent (None when suppressed), n, n_eff, flags."""
    return {
        "value": percent(estimate.share),
        "ci_low": percent(estimate.ci_low),
        "ci_high": percent(estimate.ci_high),
        "n": estimate.n,
        "n_eff": round(estimate.n_eff, 1),
        "weighted": estimate.weighted,
        "suppressed": estimate.suppressed,
    }


def kpi_fields(kpi: KpiProgress | None) -> dict[str, Any] | None:
    """Baseline, target, expected (percent), achievement (percent) and status."""
    if kpi is None:
        return None
    return {
        "baseline": kpi.baseline,
        "target": kpi.target,
        "expected": round(kpi.expected, 2),
        "achievement": None if kpi.achievement is None else round(kpi.achievement, 1),
        "status": kpi.status,
    }


def indicator_fields(indicator: IndicatorReport) -> dict[str, Any]:
    """One entry of `indicators`."""
    breakdowns = {
        dim: [{"category": c.category, **estimate_fields(c.estimate)} for c in cells]
        for dim, cells in indicator.breakdowns.items()
    }
    if indicator.by_mode:
        breakdowns["mode"] = [
            {"category": c.category, **estimate_fields(c.estimate)} for c in indicator.by_mode
        ]
    return {
        "id": indicator.id,
        "label": indicator.label,
        **estimate_fields(indicator.estimate),
        "kpi": kpi_fields(indicator.kpi),
        "breakdowns": breakdowns,
    }


def render_json(report: WaveReport) -> dict[str, Any]:
    """The report in the JSON shape of issue 6 (percentages, suppressed values are null)."""
    return {
        "wave": {
            "id": report.wave_id,
            "name": report.wave_name,
            "survey": report.survey_id,
            "period_start": report.period_start.isoformat() if report.period_start else None,
            "period_end": report.period_end.isoformat() if report.period_end else None,
            "respondents": report.respondents,
            "weighting": {
                "method": report.weighting.method,
                "dimensions": list(report.weighting.dimensions),
                "excluded_respondents": report.weighting.excluded_respondents,
            },
        },
        "indicators": [indicator_fields(i) for i in report.indicators],
        "comments": dict(report.comments_by_goal),
    }
