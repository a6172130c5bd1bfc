"""A choice typed instead of tapped: by its number or its label, in any language."""

from __future__ import annotations

import pytest

from surveys.bundled import load_bundled
from surveys.definition import Question
from surveys.validation import choice_from_text


@pytest.fixture(scope="module")
def livability() -> Question:
    """The bundled likert question on livability (five choices)."""
    return load_bundled("residency-livability").question("livability")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("3", "neutral"),
        ("３", "neutral"),
        (" 1 ", "livable"),
        ("住みやすい", "livable"),
        ("「住みにくい」", "unlivable"),
        ("Fairly easy to live in", "somewhat_livable"),
        ("すこし すみやすい", "somewhat_livable"),
        ("すこしすみやすい", "somewhat_livable"),
    ],
)
def test_a_number_or_a_label_names_its_choice(livability: Question, typed: str, code: str) -> None:
    assert choice_from_text(livability, typed) == code


@pytest.mark.parametrize("typed", ["0", "6", "まあまあ", "住みやす", "", "3つ目"])
def test_anything_else_names_no_choice(livability: Question, typed: str) -> None:
    assert choice_from_text(livability, typed) is None
