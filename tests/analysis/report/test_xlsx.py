"""XLSX export: one sheet per table, opens in openpyxl, formulas neutralised."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from analysis.report import WaveReport, neutralise, render_xlsx
from tests.analysis.report.conftest import BOTH_GOALS, EVIL


@pytest.fixture(scope="module")
def workbook(report: WaveReport, tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    render_xlsx(report, path)
    return load_workbook(path)


def test_workbook_has_one_sheet_per_table(workbook: Workbook) -> None:
    assert workbook.sheetnames == [
        "概要", "指標", "KPI", "年齢別", "性別", "地区別",
        "回答方法別", "推移", "ご意見", "ご意見の例",
    ]  # fmt: skip


def test_indicator_sheet_has_values_in_percent(workbook: Workbook) -> None:
    rows = list(workbook["指標"].iter_rows(values_only=True))
    assert rows[1][:3] == ("residency_intent", "住み続けたいと思う市民の割合", 77.07)


def test_suppressed_cells_are_empty_with_a_flag(workbook: Workbook) -> None:
    rows = list(workbook["年齢別"].iter_rows(values_only=True))
    thin = [r for r in rows[1:] if r[2] == "18〜19歳" and r[0] == "residency_intent"]
    assert thin[0][3] is None and thin[0][-1] == "回答数不足"


def test_comment_formulas_are_neutralised(workbook: Workbook) -> None:
    sheet = workbook["ご意見の例"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells]
    assert EVIL in texts  # starts with "<": kept as is, it is not a formula


def test_comment_sheets_name_the_goals_and_list_each_example_once(workbook: Workbook) -> None:
    counts = list(workbook["ご意見"].iter_rows(values_only=True))
    assert counts[1:] == [
        ("目標2 転入促進・転出抑制", 12),
        ("目標4 安全・安心なまちづくり", 30),
        ("その他（どの目標にも当たらないもの）", 3),
    ]
    examples = [row[1] for row in workbook["ご意見の例"].iter_rows(values_only=True)]
    assert examples.count(BOTH_GOALS) == 1


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_neutralise_prefixes_formula_starts(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_neutralise_keeps_numbers_and_plain_text() -> None:
    assert neutralise(-3) == -3
    assert neutralise("住みやすい") == "住みやすい"


def test_formula_comment_in_a_workbook_is_text(report: WaveReport, tmp_path: Path) -> None:
    from dataclasses import replace

    risky = replace(report, masked_examples={"基本目標2": ('=HYPERLINK("http://x","y")',)})
    render_xlsx(risky, tmp_path / "r.xlsx")
    cell = load_workbook(tmp_path / "r.xlsx")["ご意見の例"]["B2"]
    assert cell.value == '\'=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"
