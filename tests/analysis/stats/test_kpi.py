"""KPI progress by the strategy's method, and targets files."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.stats import Target, TargetsError, kpi_progress, load_targets
from analysis.stats.kpi import parse_targets

EXAMPLE = Path(__file__).resolve().parents[3] / "analysis" / "data" / "targets.example.yaml"
# baseline 50 % in 2019, target 60 % in 2024: expected rises 2 points a year
RISING = Target(2019, 50.0, 2024, 60.0)


def test_expected_value_is_linear_between_baseline_and_target() -> None:
    assert [RISING.expected(y) for y in range(2019, 2025)] == [50, 52, 54, 56, 58, 60]


def test_expected_value_is_held_outside_the_plan_period() -> None:
    assert RISING.expected(2017) == 50
    assert RISING.expected(2030) == 60


@pytest.mark.parametrize(
    ("actual", "achievement", "status"),
    [
        (58.0, 100.0, "達成"),  # exactly on the expected value
        (59.0, 112.5, "達成"),
        (55.6, 70.0, "概ね順調"),  # exactly 70 %
        (55.52, 69.0, "遅れ"),
        (50.0, 0.0, "遅れ"),
        (48.0, -25.0, "遅れ"),  # worse than the baseline
    ],
)
def test_achievement_and_status_in_2023(actual: float, achievement: float, status: str) -> None:
    progress = kpi_progress(RISING, actual, 2023)
    assert progress.expected == pytest.approx(58.0)
    assert progress.achievement == pytest.approx(achievement)
    assert progress.status == status


def test_decreasing_target_rewards_going_down() -> None:
    falling = Target(2019, 30.0, 2024, 20.0)  # e.g. a share that should shrink
    assert kpi_progress(falling, 23.0, 2024).achievement == pytest.approx(70.0)
    assert kpi_progress(falling, 23.0, 2024).status == "概ね順調"
    assert kpi_progress(falling, 24.0, 2024).status == "遅れ"
    assert kpi_progress(falling, 24.0, 2022).achievement == pytest.approx(100.0)
    assert kpi_progress(falling, 31.0, 2022).status == "遅れ"


def test_baseline_year_has_no_achievement_but_a_sane_status() -> None:
    at_baseline = kpi_progress(RISING, 50.0, 2019)
    assert at_baseline.achievement is None
    assert at_baseline.status == "達成"
    assert kpi_progress(RISING, 49.0, 2019).status == "遅れ"


def test_maintain_target_counts_holding_the_baseline_as_achieved() -> None:
    flat = Target(2019, 70.0, 2024, 70.0)
    assert kpi_progress(flat, 70.5, 2022).status == "達成"
    assert kpi_progress(flat, 69.0, 2022).status == "遅れ"
    assert kpi_progress(flat, 69.0, 2022).achievement is None


def test_example_targets_file_loads_for_the_three_indicators() -> None:
    targets = load_targets(EXAMPLE)
    assert set(targets) == {"residency_intent", "livability", "youth_residency_intent"}
    assert all(t.baseline_year == 2019 and t.target_year == 2024 for t in targets.values())
    assert "EXAMPLE" in EXAMPLE.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("indicators: [1, 2\n", "line 2"),
        ("targets: {}\n", "missing key 'indicators'"),
        ("indicators: []\n", "line 1: indicators: expected a mapping"),
        (
            "indicators:\n  livability:\n    target: {year: 2024, value: 65}\n",
            "line 3: indicators.livability: missing 'baseline'",
        ),
        (
            "indicators:\n  livability:\n    baseline: {year: 2019}\n"
            "    target: {year: 2024, value: 65}\n",
            "line 3: indicators.livability.baseline: missing 'value'",
        ),
        (
            "indicators:\n  livability:\n    baseline: {year: twenty, value: 60}\n"
            "    target: {year: 2024, value: 65}\n",
            "line 3: indicators.livability.baseline.year: 'twenty' is not a year",
        ),
        (
            "indicators:\n  livability:\n    baseline: {year: 2019, value: 0.6x}\n"
            "    target: {year: 2024, value: 65}\n",
            "indicators.livability.baseline.value: '0.6x' is not a number",
        ),
        (
            "indicators:\n  livability:\n    baseline: {year: 2019, value: 60}\n"
            "    target: {year: 2024, value: 165}\n",
            "line 4: indicators.livability.target.value: 165 is not a percentage",
        ),
        (
            "indicators:\n  livability:\n    baseline: {year: 2019, value: 60}\n"
            "    target: {year: 2019, value: 65}\n",
            "line 4: indicators.livability.target.year: must be after the baseline year",
        ),
        (
            "indicators:\n  happiness:\n    baseline: {year: 2019, value: 60}\n"
            "    target: {year: 2024, value: 65}\n",
            "line 3: indicators.happiness: unknown indicator",
        ),
    ],
)
def test_broken_targets_give_one_line_with_line_and_field(text: str, message: str) -> None:
    with pytest.raises(TargetsError) as info:
        parse_targets(text, source="t.yaml", known=("livability", "residency_intent"))
    assert message in str(info.value)
    assert str(info.value).startswith("t.yaml")
    assert "\n" not in str(info.value)
