"""The JSON report has issue 6's exact shape; the text summary says what staff need."""

from __future__ import annotations

import json

import pytest

from analysis.report import WaveReport, render_json, render_text

INDICATOR_KEYS = {
    "id", "label", "value", "ci_low", "ci_high", "n", "n_eff",
    "weighted", "suppressed", "kpi", "breakdowns",
}  # fmt: skip
ESTIMATE_KEYS = INDICATOR_KEYS - {"id", "label", "kpi", "breakdowns"} | {"category"}


def test_json_has_exactly_the_issue_shape(report: WaveReport) -> None:
    data = render_json(report)
    json.dumps(data)  # serialisable as is
    assert set(data) == {"wave", "indicators", "comments"}
    for indicator in data["indicators"]:
        assert set(indicator) == INDICATOR_KEYS
        assert set(indicator["kpi"]) == {"baseline", "target", "expected", "achievement", "status"}
        assert set(indicator["breakdowns"]) == {"age_band", "sex", "district", "mode"}
        for cells in indicator["breakdowns"].values():
            for cell in cells:
                assert set(cell) == ESTIMATE_KEYS
    assert data["comments"] == {"2": 12, "4": 30, "other": 3}


def test_json_values_are_percentages_like_the_targets(report: WaveReport) -> None:
    residency = render_json(report)["indicators"][0]
    assert residency["value"] == pytest.approx(77.07, abs=0.01)  # R: 0.770677
    assert residency["ci_low"] < residency["value"] < residency["ci_high"]
    assert residency["kpi"]["baseline"] == 75.0 and residency["kpi"]["expected"] == 80.0
    assert residency["kpi"]["achievement"] == pytest.approx((77.07 - 75) / 5 * 100, abs=0.2)
    assert residency["kpi"]["status"] == "遅れ"
    assert residency["n"] == 361 and residency["weighted"] is True


def test_json_suppressed_cells_are_null_not_numbers(report: WaveReport) -> None:
    ages = render_json(report)["indicators"][0]["breakdowns"]["age_band"]
    thin = [c for c in ages if c["n_eff"] < 30]
    assert thin, "the fixture has thin age bands"
    for cell in thin:
        assert cell["suppressed"] is True
        assert cell["value"] is None and cell["ci_low"] is None and cell["ci_high"] is None


def test_youth_indicator_covers_only_ages_18_to_39(report: WaveReport) -> None:
    youth = render_json(report)["indicators"][1]
    assert [c["category"] for c in youth["breakdowns"]["age_band"]] == ["18-19", "20s", "30s"]


def test_text_summary_lists_indicators_n_change_and_kpi(report: WaveReport) -> None:
    text = render_text(report)
    assert "住み続けたいと思う市民の割合: 77.1%（95%信頼区間 69.6〜83.2%、n=361）" in text
    assert "前回比 +7.1pt" in text
    assert "KPI 達成度 41.4%（遅れ）" in text
    assert "「まち」に対する若者の継続居住意向" in text
    assert "重み付け対象外 15人" in text
    assert "2025-09-01〜2025-09-30" in text
    assert len(text.splitlines()) <= 10
