"""Charts as PNG bytes, with Japanese labels in a bundled Japanese font (no tofu boxes)."""

from __future__ import annotations

import io
from functools import cache

import matplotlib
import matplotlib_fontja  # noqa: F401  (registers IPAexGothic and makes it the default)
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from analysis.report.model import IndicatorReport, WaveReport, label_for

BAR = "#3a7ca5"
EXPECTED = "#d1495b"


@cache
def font_path() -> str:
    """The font file matplotlib uses for text."""
    family = matplotlib.rcParams["font.family"]
    return str(font_manager.findfont(font_manager.FontProperties(family=family)))


@cache
def _charmap() -> frozenset[int]:
    """Code points the text font has glyphs for."""
    return frozenset(FT2Font(font_path()).get_charmap())


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` the chart font cannot draw (would show as tofu boxes)."""
    return {ch for ch in text if not ch.isspace() and ord(ch) not in _charmap()}


def _png(fig: Figure) -> bytes:
    """Save a figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _share_points(indicator: IndicatorReport) -> tuple[float, float, float] | None:
    """(value, low error, high error) in percent, or None when suppressed."""
    e = indicator.estimate
    if e.share is None or e.ci_low is None or e.ci_high is None:
        return None
    return e.share * 100, (e.share - e.ci_low) * 100, (e.ci_high - e.share) * 100


def render_chart_png(report: WaveReport) -> bytes:
    """Indicator shares with 95 % intervals and each KPI's expected value for the year."""
    return _png(indicator_figure(report))


def indicator_figure(report: WaveReport) -> Figure:
    """The indicators' chart; the KPI line and its legend only when a target was given."""
    indicators = list(report.indicators)
    fig = Figure(figsize=(7.5, 1.2 + 0.8 * max(len(indicators), 1)))
    ax = fig.add_subplot()
    labels = [i.label for i in indicators]
    ys = list(range(len(indicators)))[::-1]
    for y, indicator in zip(ys, indicators, strict=True):
        point = _share_points(indicator)
        if point is None:
            ax.text(1, y, "回答数不足のため非表示", va="center", fontsize=9, color="#666666")
            continue
        value, low, high = point
        ax.barh(y, value, color=BAR, height=0.55)
        ax.errorbar(value, y, xerr=[[low], [high]], color="black", capsize=4, lw=1)
        right = value + high
        if indicator.kpi is not None:
            ax.plot([indicator.kpi.expected] * 2, [y - 0.35, y + 0.35], color=EXPECTED, lw=2)
            right = max(right, indicator.kpi.expected)
        ax.text(right + 1.5, y, f"{value:.1f}%", va="center", fontsize=9)
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, 110)
    legend = "割合（%）　誤差線: 95%信頼区間"
    if any(i.kpi is not None for i in indicators):
        legend += "　赤線: KPI期待値"
    ax.set_xlabel(legend)
    ax.set_title(f"{report.wave_name} 指標の推計値")
    return fig


def render_trend_png(report: WaveReport) -> bytes | None:
    """Each indicator across waves with its intervals; None when no indicator has a trend."""
    with_trend = [i for i in report.indicators if len(i.trend) >= 2]
    if not with_trend:
        return None
    fig = Figure(figsize=(7.5, 4))
    ax = fig.add_subplot()
    names = report.trend_waves()
    for indicator in with_trend:
        xs, values, lows, highs = [], [], [], []
        for point in indicator.trend:
            if point.value is None or point.ci_low is None or point.ci_high is None:
                continue
            xs.append(names.index(point.wave_name))
            values.append(point.value * 100)
            lows.append((point.value - point.ci_low) * 100)
            highs.append((point.ci_high - point.value) * 100)
        ax.errorbar(xs, values, yerr=[lows, highs], marker="o", capsize=3, label=indicator.label)
    ax.set_xticks(range(len(names)), names, rotation=15)
    ax.set_ylim(0, 100)
    ax.set_ylabel("割合（%）")
    ax.set_title("指標の推移（95%信頼区間）")
    ax.legend(fontsize=8, loc="lower left")
    return _png(fig)


def render_breakdown_png(indicator: IndicatorReport, dim: str, title: str) -> bytes | None:
    """One indicator by the categories of a profile field; suppressed cells are labelled."""
    cells = indicator.breakdowns.get(dim, ())
    if not cells:
        return None
    fig = Figure(figsize=(7.5, 3.2))
    ax = fig.add_subplot()
    for x, cell in enumerate(cells):
        e = cell.estimate
        if e.share is None or e.ci_low is None or e.ci_high is None:
            ax.text(x, 3, "回答数\n不足", ha="center", fontsize=8, color="#666666")
            continue
        ax.bar(x, e.share * 100, color=BAR, width=0.6)
        err = [[(e.share - e.ci_low) * 100], [(e.ci_high - e.share) * 100]]
        ax.errorbar(x, e.share * 100, yerr=err, color="black", capsize=3, lw=1)
    ax.set_xticks(range(len(cells)), [label_for(dim, c.category) for c in cells])
    ax.set_xlim(-0.6, len(cells) - 0.4)
    ax.set_ylim(0, 100)
    ax.set_ylabel("割合（%）")
    ax.set_title(title)
    return _png(fig)
