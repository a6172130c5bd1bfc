"""`machikoe report`: indicators from the database in text, JSON, HTML and XLSX."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from analysis.stats.cells import AGE_BANDS
from storage.db import UnitOfWork
from tests.bot.cli.conftest import Machikoe, lines
from tests.bot.report_data import TARGETS, add_rows, resident_rows, seed_wave
from tests.builders import NOW, make_wave

Uow = Callable[[], UnitOfWork]
INDICATOR_KEYS = {
    "id",
    "label",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "n_eff",
    "weighted",
    "suppressed",
    "kpi",
    "breakdowns",
}


def report_json(machikoe: Machikoe, *args: str) -> dict[str, Any]:
    """Run `machikoe report --format json …` and parse its output."""
    result = machikoe("report", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Indicators of a JSON report by id."""
    return {i["id"]: i for i in report["indicators"]}


def test_json_has_the_issue_shape_with_percentages_modes_and_breakdowns(
    machikoe: Machikoe,
) -> None:
    wave_id = machikoe.seed(seed_wave)
    report = report_json(machikoe, "--wave", str(wave_id))
    assert set(report) == {"wave", "indicators", "comments"}
    assert report["wave"]["id"] == str(wave_id) and report["wave"]["respondents"] == 400
    indicators = by_id(report)
    assert list(indicators) == ["residency_intent", "livability", "youth_residency_intent"]
    for indicator in indicators.values():
        assert set(indicator) == INDICATOR_KEYS
    intent = indicators["residency_intent"]
    # 400 responses, one in five skipped the question: 320 valid, 160 of them always/for_now.
    assert intent["n"] == 320 and intent["value"] == 50.0
    assert intent["ci_low"] < 50.0 < intent["ci_high"] and intent["weighted"] is False
    assert intent["label"] == "住み続けたいと思う市民の割合"
    assert intent["kpi"] is None
    assert set(intent["breakdowns"]) == {"age_band", "sex", "district", "mode"}
    modes = {c["category"]: c for c in intent["breakdowns"]["mode"]}
    assert modes["chat"]["n"] == 240 and modes["mail"]["n"] == 80
    ages = [c["category"] for c in intent["breakdowns"]["age_band"]]
    assert ages == list(AGE_BANDS)
    livability = indicators["livability"]
    assert livability["n"] == 400 and livability["value"] == 50.0
    youth = indicators["youth_residency_intent"]
    assert 0 < youth["n"] < intent["n"]
    assert {c["category"] for c in youth["breakdowns"]["age_band"]} == {"18-19", "20s", "30s"}
    assert report["comments"] == {}


def test_small_cells_are_suppressed_never_numbers(machikoe: Machikoe) -> None:
    wave_id = machikoe.seed(lambda uow: seed_wave(uow, chat=60, mail=0))
    report = report_json(machikoe, "--wave", str(wave_id))
    youth = by_id(report)["youth_residency_intent"]
    assert youth["n"] < 30
    assert youth["suppressed"] is True
    assert youth["value"] is None and youth["ci_low"] is None and youth["ci_high"] is None
    for cell in youth["breakdowns"]["sex"]:
        assert cell["suppressed"] and cell["value"] is None
    text = machikoe("report", "--wave", str(wave_id)).output
    assert "「まち」に対する若者の継続居住意向: —（回答数不足）" in text


def test_weights_file_weights_the_estimates_and_reports_who_was_left_out(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(seed_wave)

    async def without_sex(uow_factory: Uow) -> None:
        rows = list(resident_rows(5, "nosex-", "web"))
        for row in rows:
            row["profile"]["sex"] = None
        await add_rows(uow_factory, wave_id, iter(rows))

    machikoe.seed(without_sex)
    weights = tmp_path / "margins.csv"
    weights.write_text(
        "dimension,category,population\nsex,male,90000\nsex,female,10000\n", encoding="utf-8"
    )
    report = report_json(machikoe, "--wave", str(wave_id), "--weights", str(weights))
    assert report["wave"]["weighting"] == {
        "method": "poststratify",
        "dimensions": ["sex"],
        "excluded_respondents": 5,
    }
    livability = by_id(report)["livability"]
    assert livability["weighted"] is True
    # Women are over-represented in the sample; weighting brings the share to the men's.
    sexes = {c["category"]: c["value"] for c in livability["breakdowns"]["sex"]}
    expected = 0.9 * sexes["male"] + 0.1 * sexes["female"]
    assert abs(livability["value"] - expected) < 0.02
    assert livability["n_eff"] < livability["n"]
    text = machikoe("report", "--wave", str(wave_id), "--weights", str(weights)).output
    assert "重み付け対象外 5人" in text


def test_a_bad_weights_file_is_one_line_with_its_row(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = machikoe.seed(seed_wave)
    weights = tmp_path / "margins.csv"
    weights.write_text(
        "dimension,category,population\nsex,male,90000\nsex,female,many\n", encoding="utf-8"
    )
    result = machikoe("report", "--wave", str(wave_id), "--weights", str(weights))
    assert result.exit_code == 1
    assert lines(result) == [
        f"error: {weights} row 3: population 'many' is not a positive whole number"
    ]
    weights.write_text("dimension,category,population\nsex,robot,5\n", encoding="utf-8")
    result = machikoe("report", "--wave", str(wave_id), "--weights", str(weights))
    assert lines(result) == [f"error: {weights} row 2: unknown sex category 'robot'"]


def test_targets_give_kpi_progress_for_the_year(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = machikoe.seed(seed_wave)
    targets = tmp_path / "targets.yaml"
    targets.write_text(TARGETS, encoding="utf-8")
    args = ("--wave", str(wave_id), "--targets", str(targets), "--year", "2024")
    indicators = by_id(report_json(machikoe, *args))
    # Expected in 2024: halfway from 50 to 70 = 60; actual 50 is no progress: 0 %.
    assert indicators["residency_intent"]["kpi"] == {
        "baseline": 50.0,
        "target": 70.0,
        "expected": 60.0,
        "achievement": 0.0,
        "status": "遅れ",
    }
    assert indicators["livability"]["kpi"] is None
    text = machikoe("report", *args).output
    assert "KPI 達成度 0.0%（遅れ）" in text
    targets.write_text("indicators:\n  residency_intent: {baseline: 3}\n", encoding="utf-8")
    result = machikoe("report", *args)
    assert result.exit_code == 1 and len(lines(result)) == 1
    assert "line 2" in result.output


def test_trend_shows_the_earlier_wave_and_the_change(machikoe: Machikoe) -> None:
    async def two_waves(uow_factory: Uow) -> int:
        await seed_wave(uow_factory, name="2024 autumn", chat=200, mail=0)
        wave = await make_wave(
            uow_factory, name="2025 spring", opens_at=NOW + timedelta(days=90), status="closed"
        )
        rows = list(resident_rows(200, "s-", "chat"))
        for row in rows[:40]:  # 40 more residents now want to stay
            row["answers"]["residency_intent"] = "always"
        await add_rows(uow_factory, wave.id, iter(rows))
        return wave.id

    wave_id = machikoe.seed(two_waves)
    text = machikoe("report", "--wave", "2025 spring").output
    line = next(x for x in text.splitlines() if x.startswith("・住み続けたいと思う市民の割合"))
    assert "前回比 +" in line
    report = report_json(machikoe, "--wave", str(wave_id))
    assert by_id(report)["residency_intent"]["value"] > 50.0


def test_html_and_xlsx_files(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = machikoe.seed(seed_wave)
    html = tmp_path / "report.html"
    result = machikoe("report", "--wave", str(wave_id), "--format", "html", "--output", str(html))
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64," in page
    assert "住みやすいと思う市民の割合" in page and "郵送" in page
    xlsx = tmp_path / "report.xlsx"
    result = machikoe("report", "--wave", str(wave_id), "--format", "xlsx", "--output", str(xlsx))
    assert result.exit_code == 0, result.output
    book = load_workbook(xlsx)
    assert {"概要", "指標", "年齢別", "回答方法別"} <= set(book.sheetnames)
    rows = list(book["指標"].iter_rows(values_only=True))
    assert rows[1][0] == "residency_intent" and rows[1][2] == 50.0


def test_usage_errors_are_one_line(machikoe: Machikoe) -> None:
    wave_id = machikoe.seed(seed_wave)
    result = machikoe("report", "--wave", str(wave_id), "--format", "html")
    assert result.exit_code == 1
    assert lines(result) == ["error: --format html needs --output FILE"]
    result = machikoe("report", "--wave", "no such wave")
    assert result.exit_code == 1
    assert lines(result) == ["error: no wave 'no such wave' (machikoe wave list shows them)"]


def test_an_open_wave_under_embargo_is_refused_unless_lifted_or_ignored(
    machikoe: Machikoe, caplog: pytest.LogCaptureFixture
) -> None:
    wave_id = machikoe.seed(lambda uow: seed_wave(uow, status="open"))
    for fmt in ("text", "json"):
        result = machikoe("report", "--wave", str(wave_id), "--format", fmt)
        assert result.exit_code == 1
        assert lines(result) == [
            f"error: wave {wave_id} is open and its results are under embargo until it closes"
            f" (machikoe wave lift-embargo {wave_id}, or --ignore-embargo)"
        ]
    with caplog.at_level(logging.WARNING):
        report = report_json(machikoe, "--wave", str(wave_id), "--ignore-embargo")
    assert report["wave"]["respondents"] == 400
    assert any("--ignore-embargo" in record.getMessage() for record in caplog.records)
    assert machikoe("wave", "lift-embargo", str(wave_id)).exit_code == 0
    assert report_json(machikoe, "--wave", str(wave_id))["wave"]["respondents"] == 400
