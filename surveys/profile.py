"""The resident profile: a small survey asked once and reused across waves."""

from __future__ import annotations

from functools import cache

from surveys.bundled import load_bundled
from surveys.definition import Survey

PROFILE_SURVEY_ID = "profile"
PROFILE_FIELDS: tuple[str, ...] = ("age_band", "sex", "district", "years_lived")


@cache
def profile_survey() -> Survey:
    """The bundled profile survey (age band, sex, district, years lived)."""
    return load_bundled(PROFILE_SURVEY_ID)


@cache
def profile_values() -> dict[str, tuple[str, ...]]:
    """The allowed codes of each profile field."""
    survey = profile_survey()
    return {field: survey.question(field).choice_ids for field in PROFILE_FIELDS}


def profile_label(field: str, code: str, language: str = "ja") -> str:
    """A profile code as people read it (20s → 20代); an unknown code as it is."""
    choice = profile_survey().question(field).choice(code)
    return choice.label.text(language) if choice is not None else code
