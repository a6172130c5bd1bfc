"""A realistic wave report built from the R fixture data through machikoe's statistics."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.report import TrendPoint, WaveReport, build_indicator, summarise_weighting
from analysis.stats import Target, load_margins, weigh
from tests.analysis.stats.r_fixtures import load_fixture

BOTH_GOALS = "駅前のにぎわいのためにもBRTの本数を増やしてほしい"
"""A comment the classifier put under goals 2 and 4."""
EVIL = '<script>alert("x")</script>=HYPERLINK("http://evil.example","click")'


def make_report() -> WaveReport:
    """Three indicators on the rake_three dataset, with targets, a trend and comments."""
    data = load_fixture("rake_three")
    weighting = weigh(data.table, load_margins(data.margins_path))
    residency = build_indicator(
        "residency_intent",
        "住み続けたいと思う市民の割合",
        data.table,
        weighting,
        wave_name="2025年度 第2回",
        target=Target(2019, 75.0, 2024, 80.0),
        year=2025,
        earlier=(TrendPoint("2025年度 第1回", 0.70, 0.65, 0.75),),
        goal=2,
    )
    youth = build_indicator(
        "youth_residency_intent",
        "「まち」に対する若者の継続居住意向",
        data.table,
        weighting,
        wave_name="2025年度 第2回",
        subgroup={"age_band": ("18-19", "20s", "30s")},
        target=Target(2019, 55.0, 2024, 60.0),
        year=2025,
        goal=4,
    )
    return WaveReport(
        wave_id="w-2025-2",
        wave_name="2025年度 第2回",
        survey_id="residency-livability",
        survey_title="定住意向・住みやすさ調査",
        period_start=date(2025, 9, 1),
        period_end=date(2025, 9, 30),
        respondents=len(data.rows),
        indicators=(residency, youth),
        comments_by_goal={"2": 12, "4": 30, "other": 3},
        masked_examples={
            "2": ("駅前に〇〇さんの店があると嬉しい", EVIL, BOTH_GOALS),
            "4": (BOTH_GOALS, "BRTの本数を増やしてほしい"),
            "other": ("海がきれい",),
        },
        weighting=summarise_weighting(weighting),
    )


@pytest.fixture(scope="session")
def report() -> WaveReport:
    return make_report()


@pytest.fixture(scope="session")
def page(report: WaveReport) -> str:
    """The report's HTML page, rendered once."""
    from analysis.report import render_html

    return render_html(report)
