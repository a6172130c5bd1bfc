"""machikoe's weighting and estimates match R's survey package (committed fixtures)."""

from __future__ import annotations

import pytest

from analysis.stats import Estimate, estimate_indicator, load_margins, weigh
from tests.analysis.stats.r_fixtures import NAMES, RFixture, load_fixture

TOL = 1e-6


@pytest.fixture(params=NAMES, scope="module")
def fixture(request: pytest.FixtureRequest) -> RFixture:
    return load_fixture(request.param)


def assert_matches(estimate: Estimate, expected: dict) -> None:
    assert estimate.n == expected["n"]
    assert estimate.n_eff == pytest.approx(expected["n_eff"], abs=TOL)
    if estimate.suppressed:
        assert round(expected["n_eff"], 9) < 30
        assert estimate.share is None and estimate.ci_low is None and estimate.ci_high is None
        return
    assert estimate.share == pytest.approx(expected["share"], abs=TOL)
    assert estimate.share == pytest.approx(expected["svyciprop_share"], abs=TOL)
    assert estimate.ci_low == pytest.approx(expected["wilson_low"], abs=TOL)
    assert estimate.ci_high == pytest.approx(expected["wilson_high"], abs=TOL)


def test_weights_match_r_per_respondent(fixture: RFixture) -> None:
    margins = load_margins(fixture.margins_path)
    weighting = weigh(fixture.table, margins)
    assert weighting.method == fixture.expected["method"]
    by_key = dict(
        zip(
            (tuple(c.dims.values()) for c in fixture.table.cells),
            weighting.weights,
            strict=True,
        )
    )
    r_weights = {w["id"]: w["weight"] for w in fixture.expected["weights"]}
    for row, key in zip(fixture.rows, fixture.keys, strict=True):
        ours = by_key[key]
        if int(row["id"]) in r_weights:
            assert ours == pytest.approx(r_weights[int(row["id"])], abs=TOL)
        else:
            assert ours is None


def test_excluded_respondents_are_counted_like_r(fixture: RFixture) -> None:
    weighting = weigh(fixture.table, load_margins(fixture.margins_path))
    assert weighting.missing_respondents == fixture.expected["missing_rows"]
    assert weighting.unmatched_respondents == fixture.expected["unmatched_rows"]
    if fixture.expected["missing_rows"]:
        assert weighting.missing_by_field == {"district": fixture.expected["missing_rows"]}


def test_overall_estimate_matches_r(fixture: RFixture) -> None:
    weighting = weigh(fixture.table, load_margins(fixture.margins_path))
    result = estimate_indicator(fixture.table, weighting)
    assert result.overall.weighted
    assert_matches(result.overall, fixture.expected["overall"])


def test_breakdowns_match_r_domain_estimates(fixture: RFixture) -> None:
    weighting = weigh(fixture.table, load_margins(fixture.margins_path))
    result = estimate_indicator(
        fixture.table, weighting, dimensions=("age_band", "sex", "district", "mode")
    )
    for dim, expected_cells in fixture.expected["breakdowns"].items():
        ours = {cell.category: cell.estimate for cell in result.breakdowns[dim]}
        for category, expected in expected_cells.items():
            assert_matches(ours[category], expected)


def test_youth_subgroup_matches_r_domain_estimate() -> None:
    data = load_fixture("rake_three")
    weighting = weigh(data.table, load_margins(data.margins_path))
    youth = {"age_band": ["18-19", "20s", "30s"]}
    result = estimate_indicator(data.table, weighting, subgroup=youth)
    assert_matches(result.overall, data.expected["subgroups"]["youth"])
    assert [c.category for c in result.breakdowns["age_band"]] == ["18-19", "20s", "30s"]


def test_small_sample_suppresses_thin_breakdowns() -> None:
    data = load_fixture("small_rake")
    weighting = weigh(data.table, load_margins(data.margins_path))
    result = estimate_indicator(data.table, weighting)
    suppressed = [c for c in result.breakdowns["age_band"] if c.estimate.suppressed]
    assert suppressed, "a 70-respondent sample cannot publish every age band"
    assert all(c.estimate.share is None for c in suppressed)
