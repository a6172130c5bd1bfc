"""The report of one wave, as plain data that every renderer reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from analysis.stats.estimates import BreakdownCell, Estimate
from analysis.stats.kpi import KpiProgress
from surveys.modes import ResponseMode
from surveys.profile import profile_survey

BREAKDOWN_LABELS: dict[str, str] = {
    "age_band": "年齢",
    "sex": "性別",
    "district": "地区",
    "mode": "回答方法",
    "years_lived": "居住年数",
}


def _profile_labels() -> dict[str, dict[str, str]]:
    """Japanese labels of the profile's categories, from the profile definition itself.

    Long district labels list their neighbourhoods in brackets; a table needs only the name.
    """
    return {
        question.id: {
            choice.id: choice.label.text("ja").split("（")[0] for choice in question.choices or ()
        }
        for question in profile_survey().questions
    }


CATEGORY_LABELS: dict[str, dict[str, str]] = {
    **_profile_labels(),
    "mode": {
        ResponseMode.CHAT: "チャット",
        ResponseMode.MAIL: "郵送",
        ResponseMode.WEB: "ウェブ",
        ResponseMode.LINE: "LINE",
    },
}
NO_ANSWER = "no_answer"
"""The 「答えたくない」 choice, listed after every other category."""


def in_display_order(dim: str, cells: Iterable[BreakdownCell]) -> tuple[BreakdownCell, ...]:
    """Cells in the profile question's choice order, unknown codes next, 答えたくない last."""
    known = list(CATEGORY_LABELS.get(dim, {}))

    def rank(cell: BreakdownCell) -> tuple[int, int]:
        if cell.category == NO_ANSWER:
            return (2, 0)
        if cell.category in known:
            return (0, known.index(cell.category))
        return (1, 0)

    return tuple(sorted(cells, key=rank))


@dataclass(frozen=True)
class TrendPoint:
    """An indicator's estimate in one wave (proportions 0-1; None when suppressed)."""

    wave_name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class IndicatorReport:
    """One indicator: estimate, breakdowns, mode breakdown, KPI progress and trend."""

    id: str
    label: str
    estimate: Estimate
    breakdowns: Mapping[str, tuple[BreakdownCell, ...]] = field(default_factory=dict)
    by_mode: tuple[BreakdownCell, ...] = ()
    """Per collection mode (chat/mail/web); the combined value is `estimate`."""
    kpi: KpiProgress | None = None
    trend: tuple[TrendPoint, ...] = ()
    """Earlier waves of the same survey, oldest first, ending with this wave."""
    goal: int | None = None

    def previous(self) -> TrendPoint | None:
        """The wave before this one in the trend, if any."""
        return self.trend[-2] if len(self.trend) >= 2 else None

    def change(self) -> float | None:
        """Change of the share since the previous wave (proportion points), when both exist."""
        before = self.previous()
        if before is None or before.value is None or self.estimate.share is None:
            return None
        return self.estimate.share - before.value


@dataclass(frozen=True)
class WeightingSummary:
    """How the estimates were weighted and who could not be weighted."""

    method: str = "none"
    dimensions: tuple[str, ...] = ()
    excluded_respondents: int = 0
    """Respondents missing a weighting field (or with a category absent from the margins)."""
    missing_by_field: Mapping[str, int] = field(default_factory=dict)
    unmatched_respondents: int = 0
    """Of the excluded: a weighting field's category (e.g. no_answer) has no population."""


@dataclass(frozen=True)
class WaveReport:
    """Everything published about one wave; comment examples must already be masked."""

    wave_id: str
    wave_name: str
    survey_id: str
    survey_title: str
    period_start: date | None
    period_end: date | None
    respondents: int
    indicators: tuple[IndicatorReport, ...]
    comments_by_goal: Mapping[str, int] = field(default_factory=dict)
    masked_examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """A few example comments per goal, with personal data already masked."""
    weighting: WeightingSummary = field(default_factory=WeightingSummary)

    def trend_waves(self) -> list[str]:
        """Wave names across every indicator's trend, in order of first appearance."""
        return list(dict.fromkeys(p.wave_name for i in self.indicators for p in i.trend))


def percent(value: float | None) -> float | None:
    """A proportion as a percentage rounded to 0.01, None stays None."""
    return None if value is None else round(value * 100, 2)


def label_for(dim: str, category: str) -> str:
    """A category's Japanese display label (unknown categories as stored)."""
    return CATEGORY_LABELS.get(dim, {}).get(category, category)
