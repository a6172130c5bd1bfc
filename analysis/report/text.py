"""A short Japanese summary of a wave, also used for the staff-chat post."""

from __future__ import annotations

from analysis.report.goals import goal_name
from analysis.report.model import BREAKDOWN_LABELS, IndicatorReport, WaveReport
from analysis.stats.kpi import KpiProgress
from surveys.modes import ResponseMode

SUPPRESSED = "—（回答数不足）"
METHOD_LABELS = {"none": "重み付けなし", "poststratify": "事後層化", "rake": "レイキング"}


def format_percent(share: float | None) -> str:
    """A proportion as `72.3%`, or the suppression mark."""
    return SUPPRESSED if share is None else f"{share * 100:.1f}%"


def period_text(report: WaveReport) -> str:
    """The wave's period as `2025-06-01〜2025-06-30` (empty when unknown)."""
    if report.period_start is None and report.period_end is None:
        return ""
    start = report.period_start.isoformat() if report.period_start else ""
    end = report.period_end.isoformat() if report.period_end else ""
    return f"{start}〜{end}"


CHANNELS_NOTE = (
    "LINEとTelegramの両方で回答した方は、別々の回答者として数えています（回答者の照合はしません）"
)
"""The method note when LINE answers are in: each channel has its own pseudonyms."""


def has_line(report: WaveReport) -> bool:
    """Whether any indicator counts LINE answers."""
    return any(cell.category == ResponseMode.LINE for i in report.indicators for cell in i.by_mode)


def weighting_text(report: WaveReport) -> str:
    """One line on the weighting, on respondents it had to leave out, and on channels."""
    line = _weighting_line(report)
    return f"{line}。{CHANNELS_NOTE}" if has_line(report) else line


def _weighting_line(report: WaveReport) -> str:
    """The weighting and the respondents it had to leave out."""
    w = report.weighting
    if w.method == "none":
        return "集計: 重み付けなし（単純集計）"
    dims = "・".join(BREAKDOWN_LABELS.get(d, d) for d in w.dimensions)
    line = f"集計: {dims}の人口構成で重み付け（{METHOD_LABELS.get(w.method, w.method)}）"
    if w.excluded_respondents:
        line += f"、属性未回答などで重み付け対象外 {w.excluded_respondents:,}人"
    return line


def below_baseline(kpi: KpiProgress) -> str:
    """Why 達成度 is below zero, in words (empty when it is not)."""
    if kpi.achievement is None or kpi.achievement >= 0:
        return ""
    return "基準値を下回っています" if kpi.actual < kpi.baseline else "基準値を上回っています"


def indicator_line(indicator: IndicatorReport) -> str:
    """`・label: 72.3%（95%信頼区間 69.8〜74.7%、n=1,200）前回比 +1.2pt／KPI …`."""
    e = indicator.estimate
    if e.suppressed or e.share is None:
        text = f"・{indicator.label}: {SUPPRESSED}（n={e.n:,}）"
    else:
        low = e.ci_low * 100 if e.ci_low is not None else 0.0
        high = e.ci_high * 100 if e.ci_high is not None else 0.0
        text = (
            f"・{indicator.label}: {e.share * 100:.1f}%"
            f"（95%信頼区間 {low:.1f}〜{high:.1f}%、n={e.n:,}）"
        )
    change = indicator.change()
    if change is not None:
        text += f" 前回比 {change * 100:+.1f}pt"
    if indicator.kpi is not None:
        kpi = indicator.kpi
        if kpi.achievement is None:
            text += f"／KPI {kpi.status}（{kpi.year}年の期待値 {kpi.expected:.1f}%）"
        else:
            words = below_baseline(kpi)
            status = f"{kpi.status}、{words}" if words else kpi.status
            text += f"／KPI 達成度 {kpi.achievement:.1f}%（{status}）"
    return text


def render_text(report: WaveReport) -> str:
    """The summary: title, respondents, weighting, one line per indicator, comment counts."""
    title = f"【まちの声】{report.wave_name}（{report.survey_title}）集計"
    period = period_text(report)
    lines = [title + (f" {period}" if period else ""), f"回答数: {report.respondents:,}件"]
    lines.append(weighting_text(report))
    lines.extend(indicator_line(i) for i in report.indicators)
    if report.comments_by_goal:
        counts = "、".join(
            f"{goal_name(goal)} {n:,}件" for goal, n in report.comments_by_goal.items()
        )
        lines.append(f"ご意見: {counts}")
    return "\n".join(lines)
