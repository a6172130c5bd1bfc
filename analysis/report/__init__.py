"""Wave reports: the plain report model and its text, JSON, HTML, XLSX and chart renderers."""

from analysis.report.as_json import render_json
from analysis.report.build import build_indicator, summarise_weighting
from analysis.report.charts import missing_glyphs, render_chart_png, render_trend_png
from analysis.report.html import render_html
from analysis.report.model import IndicatorReport, TrendPoint, WaveReport, WeightingSummary
from analysis.report.text import render_text
from analysis.report.xlsx import neutralise, render_xlsx

__all__ = [
    "IndicatorReport",
    "TrendPoint",
    "WaveReport",
    "WeightingSummary",
    "build_indicator",
    "missing_glyphs",
    "neutralise",
    "render_chart_png",
    "render_html",
    "render_json",
    "render_text",
    "render_trend_png",
    "render_xlsx",
    "summarise_weighting",
]
