"""HTML report and charts: Japanese labels drawable, everything escaped, self-contained."""

from __future__ import annotations

import base64
import re
import warnings

from analysis.report import WaveReport, missing_glyphs, render_chart_png, render_html
from analysis.report.model import label_for
from analysis.report.text import SUPPRESSED
from tests.analysis.report.conftest import EVIL

PNG = b"\x89PNG\r\n\x1a\n"


def test_chart_font_has_every_glyph_of_the_labels(report: WaveReport) -> None:
    labels = "".join(i.label for i in report.indicators)
    assert missing_glyphs(labels + "割合（%）誤差線信頼区間赤線期待値指標の推移回答数不足") == set()


def test_missing_glyph_check_can_fail() -> None:
    assert missing_glyphs("住\U0001fae0") == {"\U0001fae0"}


def test_chart_renders_without_glyph_warnings(report: WaveReport) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = render_chart_png(report)
    assert png.startswith(PNG)


def test_html_is_self_contained_with_japanese_labels_and_charts(report: WaveReport) -> None:
    html = render_html(report)
    assert "住み続けたいと思う市民の割合" in html
    assert "「まち」に対する若者の継続居住意向" in html
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) >= 3  # indicators, trend, age breakdowns
    assert all(base64.b64decode(i).startswith(PNG) for i in images)
    assert not re.search(r"(src|href)=\"https?:", html)


def test_html_escapes_comment_text(report: WaveReport) -> None:
    html = render_html(report)
    assert EVIL not in html
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_html_shows_suppressed_cells_as_a_mark_and_kpi_badges(report: WaveReport) -> None:
    html = render_html(report)
    assert f'<td class="suppressed">{SUPPRESSED}</td>' in html
    assert '<span class="badge behind">遅れ</span>' in html
    assert "18〜19歳" in html and "チャット" in html
    assert "重み付け対象外" in html


def test_html_shows_each_mode_and_the_combined_value(report: WaveReport) -> None:
    html = render_html(report)
    for mode in ("チャット", "郵送", "ウェブ"):
        assert f"<td>{mode}</td>" in html
    assert "<td>合計</td>" in html


def test_no_trend_chart_for_a_first_wave(report: WaveReport) -> None:
    from dataclasses import replace

    from analysis.report import render_trend_png

    first = replace(
        report, indicators=tuple(replace(i, trend=i.trend[-1:]) for i in report.indicators)
    )
    assert render_trend_png(first) is None
    assert render_trend_png(report) is not None
    assert "指標の推移のグラフ" not in render_html(first)


def test_trend_table_aligns_values_by_wave(report: WaveReport) -> None:
    html = render_html(report)
    youth_row = html[html.index("<tr><td>「まち」に対する若者の継続居住意向</td>\n<td>—</td>") :]
    assert youth_row.split("</tr>")[0].count("<td>") == 3  # label, first wave (none), this wave
    assert "人口データにない区分" in html and "地区未回答 9人" in html


def test_breakdown_categories_are_shown_with_the_profile_questions_japanese_labels() -> None:
    assert label_for("district", "hokubu") == "北部地区"
    assert label_for("sex", "no_answer") == "答えたくない"
    assert label_for("years_lived", "20plus") == "20年以上"
    assert label_for("district", "unknown-code") == "unknown-code"
