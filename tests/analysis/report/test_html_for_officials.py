"""The HTML report reads without asking: goals by name, KPI only with targets, plain counts."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from html.parser import HTMLParser

from fontTools.ttLib import TTFont
from matplotlib.backends.backend_agg import FigureCanvasAgg

from analysis.report import WaveReport, build_indicator, render_html, render_text
from analysis.report.charts import EXPECTED, font_path, indicator_figure
from analysis.stats import CellTable, Target, kpi_progress, weigh
from tests.analysis.report.conftest import BOTH_GOALS

FONT_DATA = re.compile(r'url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\)')


def without_targets(report: WaveReport) -> WaveReport:
    """The same wave with no KPI targets given."""
    return replace(report, indicators=tuple(replace(i, kpi=None) for i in report.indicators))


def with_target(report: WaveReport, target: Target) -> WaveReport:
    """The first indicator judged against another target."""
    first, *rest = report.indicators
    assert first.estimate.share is not None and first.kpi is not None
    kpi = kpi_progress(target, first.estimate.share * 100, first.kpi.year)
    return replace(report, indicators=(replace(first, kpi=kpi), *rest))


class _Text(HTMLParser):
    """The text a reader sees (no style, no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Every character the page shows."""
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def test_comment_goals_are_named_as_in_the_strategy(page: str) -> None:
    assert "<td>目標2 転入促進・転出抑制" in page
    assert "新しいひとの流れをつくる" in page
    assert "<td>目標4 安全・安心なまちづくり" in page
    assert "<td>その他（どの目標にも当たらないもの）" in page
    assert "<h3>目標2 転入促進・転出抑制 の例</h3>" in page
    assert not re.search(r"<td>(1|2|3|4|other)</td>", page)


def test_page_says_a_comment_can_carry_several_goals_and_shows_each_example_once(
    page: str,
) -> None:
    assert "1件のご意見が複数の目標に当たることがある" in page
    assert page.count(BOTH_GOALS) == 1
    assert "BRTの本数を増やしてほしい</blockquote>" in page


def test_text_summary_names_the_goals(report: WaveReport) -> None:
    line = render_text(report).splitlines()[-1]
    assert line.startswith(
        "ご意見: 目標2 転入促進・転出抑制 12件、目標4 安全・安心なまちづくり 30件"
    )


def test_kpi_column_legend_and_line_only_when_targets_are_given(
    report: WaveReport, page: str
) -> None:
    plain = without_targets(report)
    html = render_html(plain)
    for word in ("KPI期待値", "達成度", "評価", "badge behind"):
        assert word not in html
    figure = indicator_figure(plain)
    assert "赤線" not in figure.axes[0].get_xlabel()
    assert not [line for line in figure.axes[0].lines if line.get_color() == EXPECTED]
    assert "<th>KPI期待値</th><th>達成度</th><th>評価</th>" in page
    figure = indicator_figure(report)
    assert "赤線: KPI期待値" in figure.axes[0].get_xlabel()
    assert [line for line in figure.axes[0].lines if line.get_color() == EXPECTED]


def test_achievement_below_zero_is_said_in_words(report: WaveReport, page: str) -> None:
    below = with_target(report, Target(2019, 85.0, 2024, 90.0))
    assert below.indicators[0].kpi is not None and below.indicators[0].kpi.achievement < 0
    assert "基準値を下回っています" in render_html(below)
    assert "、基準値を下回っています）" in render_text(below)
    assert "基準値を下回っています</span>" not in page  # 41 %: above the baseline


def test_counts_are_whole_numbers_when_unweighted(report: WaveReport, page: str) -> None:
    from tests.analysis.stats.r_fixtures import load_fixture

    table = load_fixture("rake_three").table
    indicator = build_indicator(
        "r", "住み続けたいと思う市民の割合", table, weigh(table, None), wave_name="w"
    )
    html = render_html(replace(report, indicators=(indicator,)))
    n = f"{indicator.estimate.n:,}"
    assert f'<td class="number">{n}</td><td class="number">{n}</td>' in html
    assert not re.search(r'<td class="number">[\d,]+\.\d</td>', html)
    weighted = r'<td class="number">[\d,]+</td><td class="number">[\d,]+\.\d</td>'
    assert re.search(weighted, page)  # a weighted n_eff keeps its decimal


def test_no_answer_is_listed_last(report: WaveReport) -> None:
    people = [("taga", "female"), ("no_answer", "male"), ("nanbu", "no_answer")]
    people += [("hokubu", "female"), ("juo", "male")]
    rows = [{"district": d, "sex": s, "respondents": 40, "yes": 20, "valid": 40} for d, s in people]
    table = CellTable.from_rows(rows, ("district", "sex"))
    indicator = build_indicator(
        "r", "住み続けたいと思う市民の割合", table, weigh(table, None), wave_name="w"
    )
    districts = [c.category for c in indicator.breakdowns["district"]]
    assert districts == ["juo", "hokubu", "taga", "nanbu", "no_answer"]
    assert [c.category for c in indicator.breakdowns["sex"]] == ["male", "female", "no_answer"]
    html = render_html(replace(report, indicators=(indicator,)))
    district_table = html[html.index("<th>地区</th>") :]
    assert district_table.index("南部地区") < district_table.index("答えたくない")


def test_value_labels_stay_clear_of_the_kpi_line(report: WaveReport) -> None:
    near = with_target(report, Target(2019, 80.0, 2024, 86.0))  # line just past the interval
    figure = indicator_figure(near)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    ax = figure.axes[0]
    lines = [line.get_window_extent(renderer) for line in ax.lines if line.get_color() == EXPECTED]
    labels = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().endswith("%")]
    assert lines and labels
    assert not any(label.overlaps(line) for label in labels for line in lines)


def test_page_embeds_a_font_subset_that_draws_all_its_text(page: str) -> None:
    found = FONT_DATA.findall(page)
    assert len(found) == 1
    data = base64.b64decode(found[0])
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    text = visible_text(page)
    assert "住み続けたいと思う市民の割合" in text and BOTH_GOALS in text
    assert {ch for ch in text if not ch.isspace() and ord(ch) not in cmap} == set()
    with open(font_path(), "rb") as full:
        assert len(data) < len(full.read()) / 10  # a subset, not the whole font


def test_page_falls_back_to_the_japanese_fonts_of_windows_and_macos(page: str) -> None:
    family = re.search(r"body \{ font-family: ([^;]+);", page)
    assert family is not None
    stack = family.group(1)
    for name in ("Hiragino Sans", "Yu Gothic", "Meiryo"):
        assert f'"{name}"' in stack
    assert stack.startswith('"machikoe-report"') and stack.endswith("sans-serif")
    assert "IPAフォントライセンス" in visible_text(page)
