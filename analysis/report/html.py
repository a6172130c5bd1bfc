"""A self-contained HTML report: inline CSS, charts as base64 PNG, everything escaped."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from analysis.report.charts import render_breakdown_png, render_chart_png, render_trend_png
from analysis.report.fonts import FONT_NOTE, font_face_css, font_stack
from analysis.report.goals import SEVERAL_GOALS_NOTE, distinct_examples, goal_name, goal_title
from analysis.report.model import (
    BREAKDOWN_LABELS,
    IndicatorReport,
    WaveReport,
    label_for,
)
from analysis.report.text import SUPPRESSED, below_baseline, period_text, weighting_text
from analysis.stats.estimates import Estimate
from analysis.stats.kpi import KpiProgress

_ENV = Environment(
    loader=PackageLoader("analysis", "templates"), autoescape=select_autoescape(default=True)
)
_BADGES = {"達成": "achieved", "概ね順調": "ontrack", "遅れ": "behind"}


def _b64(png: bytes | None) -> str | None:
    """PNG bytes as base64 text for a data URL."""
    return None if png is None else base64.b64encode(png).decode("ascii")


def _estimate_cells(estimate: Estimate) -> Markup:
    """Table cells for share, interval, n and n_eff; suppressed shares are never numbers."""
    n_eff = f"{estimate.n_eff:,.1f}" if estimate.weighted else f"{round(estimate.n_eff):,}"
    n = f'<td class="number">{estimate.n:,}</td><td class="number">{n_eff}</td>'
    if estimate.share is None or estimate.ci_low is None or estimate.ci_high is None:
        return Markup(f'<td class="suppressed">{escape(SUPPRESSED)}</td><td>—</td>{n}')
    return Markup(
        f'<td class="number">{estimate.share * 100:.1f}%</td>'
        f'<td class="interval">{estimate.ci_low * 100:.1f}〜{estimate.ci_high * 100:.1f}%</td>{n}'
    )


def _achievement(kpi: KpiProgress) -> Markup:
    """達成度 as a percentage; below zero it also says so in words."""
    if kpi.achievement is None:
        return Markup("—")
    words = below_baseline(kpi)
    note = Markup('<span class="below">{}</span>').format(words) if words else ""
    return Markup("{:.1f}%{}").format(kpi.achievement, note)


def _change(indicator: IndicatorReport) -> str:
    """Change since the previous wave in points, or a dash."""
    value = indicator.change()
    return "—" if value is None else f"{value * 100:+.1f}pt"


def _trend_value(indicator: IndicatorReport, wave_name: str) -> str:
    """An indicator's value in a wave as `72.3%`, the suppression mark, or a dash."""
    points = [p for p in indicator.trend if p.wave_name == wave_name]
    if not points:
        return "—"
    value = points[-1].value
    return SUPPRESSED if value is None else f"{value * 100:.1f}%"


def render_html(report: WaveReport) -> str:
    """The whole report as one self-contained HTML page, with its own font subset."""
    age_charts = {
        i.id: _b64(render_breakdown_png(i, "age_band", f"{i.label}（年齢別）"))
        for i in report.indicators
    }
    template = _ENV.get_template("report.html")
    values = dict(
        r=report,
        period=period_text(report),
        weighting=weighting_text(report),
        chart=_b64(render_chart_png(report)),
        trend=_b64(render_trend_png(report)),
        waves=report.trend_waves(),
        age_charts=age_charts,
        suppressed=SUPPRESSED,
        cells=_estimate_cells,
        change=_change,
        trend_value=_trend_value,
        badge=lambda status: _BADGES.get(status, ""),
        dim_label=lambda dim: BREAKDOWN_LABELS.get(dim, dim),
        label_for=label_for,
        has_kpi=any(i.kpi is not None for i in report.indicators),
        achievement=_achievement,
        goal_name=goal_name,
        goal_title=goal_title,
        examples=distinct_examples(report.masked_examples),
        several_goals=SEVERAL_GOALS_NOTE,
        font_note=FONT_NOTE,
        font_stack=Markup(font_stack()),
    )
    page = template.render(**values, font_face="")
    return template.render(**values, font_face=Markup(font_face_css(page)))
