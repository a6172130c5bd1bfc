"""Weighting: post-stratification and raking reproduce the margins; exclusions are reported."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats import Cell, CellTable, WeightingError, estimate_indicator, weigh

AGES = ("20s", "30s", "40s")
SEXES = ("male", "female")


def cell(age: str | None, sex: str | None, respondents: int, yes: int = 0, valid: int = 0) -> Cell:
    return Cell({"age_band": age, "sex": sex}, respondents, yes, valid)


def totals(table: CellTable, weights: tuple[float | None, ...], dim: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for c, w in zip(table.cells, weights, strict=True):
        if w is not None:
            key = c.dims[dim]
            assert key is not None
            out[key] = out.get(key, 0.0) + c.respondents * w
    return out


def test_no_margins_means_unweighted_estimate() -> None:
    table = CellTable((cell("20s", "male", 40, 10, 40), cell("30s", "female", 20, 20, 20)))
    weighting = weigh(table, None)
    result = estimate_indicator(table, weighting)
    assert not weighting.weighted and weighting.weights == (1.0, 1.0)
    assert result.overall.share == pytest.approx(0.5)
    assert result.overall.n_eff == pytest.approx(60)
    assert not result.overall.weighted


def test_post_stratification_gives_population_over_sample_per_stratum() -> None:
    table = CellTable((cell("20s", "male", 10), cell("20s", "female", 30), cell("30s", "male", 5)))
    weighting = weigh(table, {"age_band": {"20s": 800, "30s": 100}})
    assert weighting.method == "poststratify"
    assert weighting.weights == pytest.approx((20.0, 20.0, 20.0))


def test_missing_weighting_field_is_excluded_and_counted() -> None:
    table = CellTable(
        (
            cell("20s", "male", 10, 10, 10),
            cell("30s", "female", 10, 0, 10),
            cell(None, "female", 7, 7, 7),
            cell("30s", None, 2, 2, 2),
            cell("20s", "no_answer", 3, 3, 3),
        )
    )
    margins = {"age_band": {"20s": 50, "30s": 50}, "sex": {"male": 50, "female": 50}}
    weighting = weigh(table, margins)
    assert weighting.missing_respondents == 9
    assert weighting.missing_by_field == {"age_band": 7, "sex": 2}
    assert weighting.unmatched_respondents == 3
    assert weighting.excluded_respondents == 12
    assert weighting.weights[2:] == (None, None, None)
    overall = estimate_indicator(table, weighting).overall
    assert overall.n == 20  # the 12 excluded respondents are not in the weighted estimate


def test_margin_category_without_respondents_is_a_clear_error() -> None:
    table = CellTable((cell("20s", "male", 10), cell("30s", "female", 10)))
    margins = {"age_band": {"20s": 5, "30s": 5, "40s": 5}, "sex": {"male": 8, "female": 7}}
    with pytest.raises(WeightingError, match="no respondents with age_band=40s"):
        weigh(table, margins)


def test_margins_with_different_totals_are_rejected() -> None:
    table = CellTable((cell("20s", "male", 10), cell("30s", "female", 10)))
    margins = {"age_band": {"20s": 500, "30s": 500}, "sex": {"male": 800, "female": 800}}
    with pytest.raises(WeightingError, match="age_band totals 1,000 but sex totals 1,600"):
        weigh(table, margins)


def test_raking_that_cannot_converge_says_so() -> None:
    # 20s are all male and 30s all female: the margins contradict each other
    table = CellTable((cell("20s", "male", 10), cell("30s", "female", 10)))
    margins = {"age_band": {"20s": 300, "30s": 700}, "sex": {"male": 600, "female": 400}}
    with pytest.raises(WeightingError, match="did not converge"):
        weigh(table, margins, max_iterations=50)


@st.composite
def samples(draw: st.DrawFn) -> tuple[CellTable, dict[str, dict[str, int]]]:
    counts = {(a, s): draw(st.integers(min_value=1, max_value=60)) for a in AGES for s in SEXES}
    table = CellTable(tuple(cell(a, s, n) for (a, s), n in counts.items()))
    age_pop = {a: draw(st.integers(min_value=100, max_value=50_000)) for a in AGES}
    total = sum(age_pop.values())
    male = draw(st.integers(min_value=1, max_value=total - 1))
    return table, {"age_band": age_pop, "sex": {"male": male, "female": total - male}}


@settings(max_examples=60, deadline=None)
@given(samples())
def test_raked_weights_reproduce_every_margin(
    sample: tuple[CellTable, dict[str, dict[str, int]]],
) -> None:
    table, margins = sample
    weighting = weigh(table, margins)
    assert weighting.method == "rake"
    for dim, population in margins.items():
        achieved = totals(table, weighting.weights, dim)
        for category, target in population.items():
            assert math.isclose(achieved[category], target, rel_tol=1e-8)
