"""Estimates: Kish's n_eff, Wilson intervals, suppression and subgroups."""

from __future__ import annotations

import math

import pytest

from analysis.stats import (
    Cell,
    CellTable,
    estimate_indicator,
    estimate_share,
    kish_n_eff,
    unweighted,
    wilson_interval,
)


def test_kish_n_eff_equal_weights_is_the_sample_size() -> None:
    assert kish_n_eff([2.5, 2.5], [10, 30]) == pytest.approx(40)


def test_kish_n_eff_shrinks_with_unequal_weights() -> None:
    # (10*1 + 10*3)^2 / (10*1 + 10*9) = 1600 / 100
    assert kish_n_eff([1.0, 3.0], [10, 10]) == pytest.approx(16)


def test_wilson_interval_matches_the_textbook_value() -> None:
    # 40 of 100: Wilson 95 % interval (R: prop.test(40, 100, correct = FALSE))
    low, high = wilson_interval(0.4, 100)
    assert low == pytest.approx(0.3094013, abs=1e-6)
    assert high == pytest.approx(0.4979974, abs=1e-6)


def test_wilson_interval_stays_inside_zero_one_at_the_edges() -> None:
    low, high = wilson_interval(0.0, 50)
    assert low == pytest.approx(0.0, abs=1e-12) and 0 < high < 0.1
    low, high = wilson_interval(1.0, 50)
    assert high == pytest.approx(1.0, abs=1e-12) and 0.9 < low < 1


def weight_for_n_eff(target: float) -> float:
    """Weight w of one respondent beside 29 of weight 1 so that n_eff equals target."""
    # (29 + w)^2 = target (29 + w^2)  ->  (target - 1) w^2 - 58 w + 29 target - 841 = 0
    a, b, c = target - 1, -58.0, 29 * target - 841
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def test_n_eff_just_below_30_is_suppressed_never_a_number() -> None:
    cells = [Cell({}, 29, 10, 29), Cell({}, 1, 1, 1)]
    estimate = estimate_share(cells, [1.0, weight_for_n_eff(29.9)], weighted=True)
    assert estimate.n_eff == pytest.approx(29.9)
    assert estimate.suppressed
    assert (estimate.share, estimate.ci_low, estimate.ci_high) == (None, None, None)
    assert estimate.n == 30


def test_n_eff_of_exactly_30_is_published() -> None:
    estimate = estimate_share([Cell({}, 30, 12, 30)], [1.7], weighted=True)
    assert not estimate.suppressed
    assert estimate.share == pytest.approx(0.4)
    assert estimate.ci_low is not None and estimate.ci_low < 0.4 < estimate.ci_high  # type: ignore[operator]


def test_item_non_response_is_left_out_of_the_share() -> None:
    # 50 respondents, 40 answered the question, 30 of them yes
    estimate = estimate_share([Cell({}, 50, 30, 40)], [1.0], weighted=False)
    assert estimate.share == pytest.approx(0.75)
    assert estimate.n == 40


def test_subgroup_filter_keeps_only_its_cells_and_breakdowns() -> None:
    table = CellTable(
        (
            Cell({"age_band": "20s", "sex": "male", "district": "taga"}, 40, 20, 40),
            Cell({"age_band": "30s", "sex": "female", "district": "taga"}, 40, 30, 40),
            Cell({"age_band": "60s", "sex": "female", "district": "juo"}, 40, 40, 40),
        )
    )
    result = estimate_indicator(
        table, unweighted(table), subgroup={"age_band": ("18-19", "20s", "30s")}
    )
    assert result.overall.share == pytest.approx(50 / 80)
    assert [c.category for c in result.breakdowns["age_band"]] == ["20s", "30s"]
    assert [c.category for c in result.breakdowns["district"]] == ["taga"]


def test_breakdown_orders_age_bands_by_age() -> None:
    table = CellTable(
        tuple(Cell({"age_band": a}, 30, 10, 30) for a in ("70plus", "18-19", "40s", "20s"))
    )
    result = estimate_indicator(table, unweighted(table), dimensions=("age_band",))
    assert [c.category for c in result.breakdowns["age_band"]] == ["18-19", "20s", "40s", "70plus"]


def test_cell_counts_are_checked() -> None:
    with pytest.raises(ValueError, match="exceeds valid"):
        Cell({}, 10, 6, 5)
    with pytest.raises(ValueError, match="exceeds respondents"):
        Cell({}, 4, 1, 5)


def test_table_from_sql_rows_treats_empty_profile_values_as_missing() -> None:
    rows = [
        {"age_band": "20s", "sex": "", "respondents": 5, "yes": 2, "valid": 4},
        {"age_band": None, "sex": "male", "respondents": 3, "yes": 1, "valid": 3},
    ]
    table = CellTable.from_rows(rows, dims=("age_band", "sex"))
    assert table.cells[0].dims == {"age_band": "20s", "sex": None}
    assert table.cells[1].dims["age_band"] is None
    assert table.respondents == 8


def test_breakdown_leaves_out_categories_nobody_could_be_weighted_in() -> None:
    from analysis.stats import weigh

    table = CellTable(
        (
            Cell({"age_band": "20s", "sex": "male"}, 40, 20, 40),
            Cell({"age_band": "30s", "sex": "female"}, 40, 30, 40),
            Cell({"age_band": "30s", "sex": "no_answer"}, 5, 5, 5),
        )
    )
    weighting = weigh(
        table, {"age_band": {"20s": 100, "30s": 100}, "sex": {"male": 100, "female": 100}}
    )
    result = estimate_indicator(table, weighting)
    assert [c.category for c in result.breakdowns["sex"]] == ["female", "male"]
    assert weighting.unmatched_respondents == 5


def test_table_from_storage_counts_keeps_respondents_without_an_answer() -> None:
    dims = ("age_band", "sex")
    respondents = [("20s", "male", 10), ("30s", None, 4), ("40s", "female", 3)]
    answers = [(("20s", "male"), 6, 8), (("30s", None), 1, 2)]  # 40s/female: nobody answered
    table = CellTable.from_counts(dims, respondents, answers)
    by_age = {c.dims["age_band"]: c for c in table.cells}
    assert (by_age["20s"].respondents, by_age["20s"].yes, by_age["20s"].valid) == (10, 6, 8)
    assert (by_age["40s"].respondents, by_age["40s"].valid) == (3, 0)
    assert by_age["30s"].dims["sex"] is None
    with pytest.raises(ValueError, match="but no responses"):
        CellTable.from_counts(dims, respondents, [(("50s", "male"), 1, 1)])
