"""A wave's report built from the database: aggregate queries in, `WaveReport` out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from analysis.report import TrendPoint, WaveReport, build_indicator, summarise_weighting
from analysis.report.model import IndicatorReport, WeightingSummary
from analysis.stats import CellTable, Margins, Target, WeightingError, weigh
from analysis.stats.cells import BREAKDOWN_DIMENSIONS
from analysis.stats.estimates import estimate_indicator
from bot.app.catalog import survey_for_wave
from storage.db import UnitOfWork
from storage.records import WaveRecord
from storage.repositories.comment_search import CommentSearch
from surveys.codec import split_codes
from surveys.definition import Indicator, Survey
from surveys.waves import WaveStatus

EXAMPLES_PER_GOAL = 3
CellKey = tuple[str | None, ...]


@dataclass(frozen=True)
class ReportOptions:
    """What staff chose for a report: population margins, KPI targets and the KPI year."""

    margins: Margins | None = None
    targets: Mapping[str, Target] | None = None
    year: int | None = None
    examples_per_goal: int = EXAMPLES_PER_GOAL


@dataclass(frozen=True)
class WaveTables:
    """One wave's cell tables, one per indicator, from a single aggregate pass."""

    tables: dict[str, CellTable]
    respondents: int


async def find_wave(uow: UnitOfWork, ref: str) -> WaveRecord:
    """A wave by id or by exact name; LookupError naming the wave otherwise."""
    text = ref.strip()
    if text.isdigit():
        wave = await uow.waves.get(int(text))
        if wave is not None:
            return wave
    named = [w for w in await uow.waves.list() if w.name == text]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        ids = ", ".join(str(w.id) for w in named)
        raise LookupError(f"several waves are named {text!r} (ids {ids}); give the id")
    raise LookupError(f"no wave {text!r} (machikoe wave list shows them)")


def report_dimensions(
    margins: Margins | None, indicators: Iterable[Indicator] = ()
) -> tuple[str, ...]:
    """Breakdown fields, the collection mode, then other weighting and subgroup fields."""
    dims = [*BREAKDOWN_DIMENSIONS, "mode"]
    extra = [*(margins or {}), *(f for i in indicators for f in (i.subgroup or {}))]
    dims += [d for d in dict.fromkeys(extra) if d not in dims]
    return tuple(dims)


def _counts_as_yes(indicator: Indicator, value: str) -> bool:
    """Whether a stored value (a code, or `;`-joined codes) counts towards the share."""
    return any(code in indicator.yes for code in split_codes(value))


async def wave_tables(
    uow: UnitOfWork, wave_id: int, indicators: Sequence[Indicator], dims: Sequence[str]
) -> WaveTables:
    """Cell tables of every indicator from two GROUP BYs over the response and answer tallies."""
    respondents = await uow.aggregates.completed_by(wave_id, dims)
    questions = {i.question for i in indicators}
    counts = await uow.aggregates.answer_counts(wave_id, questions, dims) if questions else []
    width = len(dims)
    by_question: dict[str, list[tuple[CellKey, str, int]]] = {}
    for row in counts:
        if row[width + 1] is not None:
            by_question.setdefault(row[width], []).append(
                (tuple(row[:width]), str(row[width + 1]), int(row[-1]))
            )
    tables: dict[str, CellTable] = {}
    for indicator in indicators:
        merged: dict[CellKey, list[int]] = {}
        for key, value, count in by_question.get(indicator.question, []):
            cell = merged.setdefault(key, [0, 0])
            cell[1] += count
            if _counts_as_yes(indicator, value):
                cell[0] += count
        answers = [(key, yes, valid) for key, (yes, valid) in merged.items()]
        tables[indicator.id] = CellTable.from_counts(dims, respondents, answers)
    total = sum(int(row[-1]) for row in respondents)
    return WaveTables(tables, total)


def _local_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    """A timestamp as a calendar date in the staff's time zone."""
    return moment.astimezone(zone).date() if moment is not None else None


def kpi_year(wave: WaveRecord, zone: ZoneInfo) -> int | None:
    """The year a wave's KPI is judged in: when it closed, else when it is planned to close."""
    moment = wave.closed_at or wave.closes_at or wave.opened_at or wave.opens_at
    return moment.astimezone(zone).year if moment is not None else None


async def _trend(
    uow: UnitOfWork, wave: WaveRecord, survey: Survey, options: ReportOptions
) -> dict[str, list[TrendPoint]]:
    """Each indicator's estimate in the survey's earlier waves, oldest first."""
    points: dict[str, list[TrendPoint]] = {i.id: [] for i in survey.indicators}
    earlier = [w for w in await uow.waves.list(wave.survey_id) if w.id < wave.id]
    for previous in sorted(earlier, key=lambda w: w.id):
        if previous.status in (WaveStatus.DRAFT, WaveStatus.SCHEDULED):
            continue
        try:
            previous_survey = await survey_for_wave(uow, previous)
        except LookupError:
            previous_survey = survey
        known = {i.id: i for i in previous_survey.indicators}
        indicators = [known[i.id] for i in survey.indicators if i.id in known]
        if not indicators:
            continue
        dims = report_dimensions(options.margins, indicators)
        found = await wave_tables(uow, previous.id, indicators, dims)
        if found.respondents == 0:
            continue
        for indicator in indicators:
            table = found.tables[indicator.id]
            try:
                weighting = weigh(table, options.margins)
            except WeightingError:
                points[indicator.id].append(TrendPoint(previous.name, None, None, None))
                continue
            subgroup = indicator.subgroup or None
            overall = estimate_indicator(table, weighting, subgroup, ()).overall
            points[indicator.id].append(
                TrendPoint(previous.name, overall.share, overall.ci_low, overall.ci_high)
            )
    return points


async def _comments(
    uow: UnitOfWork, wave_id: int, per_goal: int
) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    """Comment counts by goal and a few masked examples of each (masked text only); comments
    staff hid in the console are left out of both."""
    comments = CommentSearch(uow.session)
    counts = await comments.visible_counts_by_goal(wave_id)
    examples: dict[str, tuple[str, ...]] = {}
    for goal in counts:
        examples[goal] = tuple(await comments.visible_examples(wave_id, goal, per_goal))
    return counts, examples


async def build_wave_report(
    uow: UnitOfWork,
    wave: WaveRecord,
    options: ReportOptions | None = None,
    zone: ZoneInfo | None = None,
) -> WaveReport:
    """Estimates, breakdowns, modes, KPI, trend and comments of a wave, all from aggregates."""
    options = options or ReportOptions()
    zone = zone or ZoneInfo("Asia/Tokyo")
    survey = await survey_for_wave(uow, wave)
    dims = report_dimensions(options.margins, survey.indicators)
    found = await wave_tables(uow, wave.id, survey.indicators, dims)
    year = options.year or kpi_year(wave, zone)
    trend = await _trend(uow, wave, survey, options)
    indicators: list[IndicatorReport] = []
    summary = WeightingSummary()
    for indicator in survey.indicators:
        table = found.tables[indicator.id]
        weighting = weigh(table, options.margins)
        summary = summarise_weighting(weighting)
        target = (options.targets or {}).get(indicator.id)
        indicators.append(
            build_indicator(
                indicator.id,
                indicator.label.text("ja"),
                table,
                weighting,
                wave_name=wave.name,
                subgroup=indicator.subgroup or None,
                target=target,
                year=year,
                earlier=trend[indicator.id],
                goal=indicator.goal,
            )
        )
    counts, examples = await _comments(uow, wave.id, options.examples_per_goal)
    return WaveReport(
        wave_id=str(wave.id),
        wave_name=wave.name,
        survey_id=survey.id,
        survey_title=survey.title.text("ja"),
        period_start=_local_date(wave.opened_at or wave.opens_at, zone),
        period_end=_local_date(wave.closed_at or wave.closes_at, zone),
        respondents=found.respondents,
        indicators=tuple(indicators),
        comments_by_goal=counts,
        masked_examples=examples,
        weighting=summary,
    )


def known_categories() -> dict[str, tuple[str, ...]]:
    """The codes each profile field allows (for checking a margins file)."""
    from surveys.profile import profile_values

    return dict(profile_values())
