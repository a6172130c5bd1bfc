"""The report's tables as an XLSX workbook, one sheet each, safe against formula injection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from analysis.report.goals import distinct_examples, goal_name
from analysis.report.model import BREAKDOWN_LABELS, WaveReport, label_for, percent
from analysis.stats.estimates import Estimate

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESTIMATE_HEADER = [
    "割合(%)",
    "95%信頼区間 下限(%)",
    "95%信頼区間 上限(%)",
    "n",
    "有効標本数",
    "非表示",
]
Cell = str | int | float | bool | None
SHEET_NAMES = {
    "age_band": "年齢別",
    "sex": "性別",
    "district": "地区別",
    "years_lived": "居住年数別",
}


def neutralise(value: Cell) -> Cell:
    """Prefix text that a spreadsheet would run as a formula with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _estimate_row(estimate: Estimate) -> list[Cell]:
    """Share and interval in percent (empty when suppressed), n, n_eff, suppressed flag."""
    return [
        percent(estimate.share),
        percent(estimate.ci_low),
        percent(estimate.ci_high),
        estimate.n,
        round(estimate.n_eff, 1),
        "回答数不足" if estimate.suppressed else "",
    ]


def _sheet(book: Workbook, title: str, header: Sequence[str], rows: Iterable[list[Cell]]) -> None:
    """Add one sheet with a header row and neutralised values."""
    sheet: Worksheet = book.create_sheet(title[:31])
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"


def render_xlsx(report: WaveReport, path: str | Path) -> None:
    """Write the report's tables to an XLSX file."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    _sheet(
        book,
        "概要",
        ["項目", "値"],
        [
            ["回", report.wave_name],
            ["調査", report.survey_title],
            ["開始日", report.period_start.isoformat() if report.period_start else None],
            ["終了日", report.period_end.isoformat() if report.period_end else None],
            ["回答数", report.respondents],
            ["重み付け", report.weighting.method],
            ["重み付け項目", "・".join(report.weighting.dimensions)],
            ["重み付け対象外", report.weighting.excluded_respondents],
        ],
    )
    _sheet(
        book,
        "指標",
        ["指標ID", "指標", *ESTIMATE_HEADER],
        ([i.id, i.label, *_estimate_row(i.estimate)] for i in report.indicators),
    )
    _sheet(
        book,
        "KPI",
        [
            "指標ID",
            "指標",
            "年",
            "実績値(%)",
            "基準値(%)",
            "目標値(%)",
            "期待値(%)",
            "達成度(%)",
            "評価",
        ],
        (
            [
                i.id,
                i.label,
                i.kpi.year,
                round(i.kpi.actual, 2),
                i.kpi.baseline,
                i.kpi.target,
                round(i.kpi.expected, 2),
                None if i.kpi.achievement is None else round(i.kpi.achievement, 1),
                i.kpi.status,
            ]
            for i in report.indicators
            if i.kpi is not None
        ),
    )
    dims = list(dict.fromkeys(d for i in report.indicators for d in i.breakdowns))
    for dim in dims:
        label = BREAKDOWN_LABELS.get(dim, dim)
        _sheet(
            book,
            SHEET_NAMES.get(dim, f"{label}別"),
            ["指標ID", "指標", label, *ESTIMATE_HEADER],
            (
                [i.id, i.label, label_for(dim, c.category), *_estimate_row(c.estimate)]
                for i in report.indicators
                for c in i.breakdowns.get(dim, ())
            ),
        )
    if any(i.by_mode for i in report.indicators):
        _sheet(
            book, "回答方法別", ["指標ID", "指標", "回答方法", *ESTIMATE_HEADER], _mode_rows(report)
        )
    _sheet(
        book,
        "推移",
        ["指標ID", "指標", "回", "割合(%)", "95%信頼区間 下限(%)", "95%信頼区間 上限(%)"],
        (
            [i.id, i.label, p.wave_name, percent(p.value), percent(p.ci_low), percent(p.ci_high)]
            for i in report.indicators
            for p in i.trend
        ),
    )
    _sheet(
        book,
        "ご意見",
        ["目標", "件数"],
        ([goal_name(goal), n] for goal, n in report.comments_by_goal.items()),
    )
    _sheet(
        book,
        "ご意見の例",
        ["目標", "ご意見（個人情報は伏せ字）"],
        (
            [goal_name(goal), text]
            for goal, texts in distinct_examples(report.masked_examples).items()
            for text in texts
        ),
    )
    book.save(Path(path))


def _mode_rows(report: WaveReport) -> Iterable[list[Cell]]:
    """Per-mode rows of each indicator, then its combined row."""
    for i in report.indicators:
        if not i.by_mode:
            continue
        for c in i.by_mode:
            yield [i.id, i.label, label_for("mode", c.category), *_estimate_row(c.estimate)]
        yield [i.id, i.label, "合計", *_estimate_row(i.estimate)]
