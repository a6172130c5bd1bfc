"""The report's method note says a resident on both channels is two respondents."""

from __future__ import annotations

from dataclasses import replace

from analysis.report.html import render_html
from analysis.report.text import CHANNELS_NOTE, render_text, weighting_text
from analysis.stats.estimates import BreakdownCell
from tests.analysis.report.conftest import make_report


def test_the_note_appears_once_line_answers_are_counted() -> None:
    report = make_report()
    assert CHANNELS_NOTE not in weighting_text(report)
    first = report.indicators[0]
    cells = (*first.by_mode, BreakdownCell("line", first.estimate))
    with_line = replace(report, indicators=(replace(first, by_mode=cells), *report.indicators[1:]))
    assert CHANNELS_NOTE in weighting_text(with_line)
    assert CHANNELS_NOTE in render_text(with_line)
    assert "別々の回答者" in render_html(with_line)
