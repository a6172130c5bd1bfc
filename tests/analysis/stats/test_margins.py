"""Population margins files: accepted shapes and one-line errors staff can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.stats import MarginsError, load_margins, parse_margins

GOOD = 'dimension,category,population\nage_band,20s,17850\nage_band,30s,"19,200"\nsex,male,9\n'


def test_margins_are_read_per_dimension_in_file_order() -> None:
    margins = parse_margins(GOOD)
    assert margins == {"age_band": {"20s": 17850, "30s": 19200}, "sex": {"male": 9}}
    assert list(margins["age_band"]) == ["20s", "30s"]


def test_file_with_bom_and_blank_lines_loads(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("\ufeff" + GOOD + "\n\n", encoding="utf-8")
    assert load_margins(path)["sex"] == {"male": 9}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("dim,cat,pop\n", "row 1: header must be dimension,category,population"),
        ("dimension,category,population\n", "no margins rows"),
        ("dimension,category,population\nincome,high,10\n", "row 2: unknown dimension 'income'"),
        ("dimension,category,population\nsex,male,10\nsex,female,1.5\n", "row 3: population '1.5'"),
        ("dimension,category,population\nsex,male,abc\n", "is not a positive whole number"),
        ("dimension,category,population\nsex,male,0\n", "row 2: population '0'"),
        ("dimension,category,population\nsex,male,-4\n", "row 2: population '-4'"),
        ("dimension,category,population\nsex,male,4\nsex,male,5\n", "row 3: duplicate sex"),
        ("dimension,category,population\nsex,,4\n", "row 2: empty category"),
        ("dimension,category,population\nsex,male\n", "row 2: expected 3 fields, got 2"),
    ],
)
def test_broken_margins_give_one_line_with_the_row(text: str, message: str) -> None:
    with pytest.raises(MarginsError) as info:
        parse_margins(text, source="m.csv")
    assert message in str(info.value)
    assert str(info.value).startswith("m.csv")
    assert "\n" not in str(info.value)


def test_unknown_category_is_rejected_when_categories_are_known() -> None:
    with pytest.raises(MarginsError, match=r"row 2: unknown sex category 'other'"):
        parse_margins(
            "dimension,category,population\nsex,other,3\n",
            categories={"sex": ("male", "female", "no_answer")},
        )


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(MarginsError, match="cannot read margins file"):
        load_margins(tmp_path / "nope.csv")
