"""Survey definitions shipped with machikoe, read through importlib.resources."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from surveys.definition import Survey
from surveys.loader import parse_survey

_PROFILE = "profile"


class UnknownSurveyError(LookupError):
    """No bundled survey has this id."""

    def __init__(self, survey_id: str) -> None:
        super().__init__(f'no bundled survey "{survey_id}"')
        self.survey_id = survey_id


def _data_dir() -> Path:
    return Path(str(files("surveys") / "data"))


def bundled_surveys() -> tuple[str, ...]:
    """Ids of the bundled resident surveys (the profile is not one of them), sorted."""
    names = (entry.name for entry in files("surveys").joinpath("data").iterdir())
    ids = (name.removesuffix(".yaml") for name in names if name.endswith(".yaml"))
    return tuple(sorted(survey_id for survey_id in ids if survey_id != _PROFILE))


def bundled_survey_path(survey_id: str) -> Path:
    """The file of a bundled survey (``profile`` included); UnknownSurveyError if none."""
    if survey_id != _PROFILE and survey_id not in bundled_surveys():
        raise UnknownSurveyError(survey_id)
    return _data_dir() / f"{survey_id}.yaml"


def load_bundled(survey_id: str) -> Survey:
    """Load and validate a bundled survey definition."""
    bundled_survey_path(survey_id)
    resource = files("surveys").joinpath("data", f"{survey_id}.yaml")
    profile: dict[str, tuple[str, ...]] | None = {} if survey_id == _PROFILE else None
    return parse_survey(resource.read_text(encoding="utf-8"), f"{survey_id}.yaml", profile=profile)
