"""Survey definitions as the application sees them: stored versions, bundled defaults."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from storage.db import UnitOfWork
from storage.records import SurveyDefinitionRecord, WaveRecord
from surveys.bundled import bundled_survey_path, bundled_surveys
from surveys.definition import Survey
from surveys.loader import load_survey, parse_survey

DEFAULT_SURVEY = "residency-livability"


@lru_cache(maxsize=64)
def _parse_cached(source: str, name: str, fingerprint: str) -> Survey:
    """Parse a stored definition once per process (keyed by its content)."""
    return parse_survey(source, name)


def survey_from_record(record: SurveyDefinitionRecord) -> Survey:
    """The Survey of a stored definition version."""
    name = f"{record.survey_id}@{record.version}"
    return _parse_cached(record.source, name, record.fingerprint)


async def store_survey_file(uow: UnitOfWork, path: Path, at: datetime) -> SurveyDefinitionRecord:
    """Validate a survey file and store it as a version (the same file again is a no-op)."""
    survey = load_survey(path)
    source = path.read_text(encoding="utf-8")
    return await uow.surveys.add_version(
        survey.id, survey.version, survey.fingerprint, source, survey.title.text("ja"), at
    )


async def ensure_bundled_surveys(uow: UnitOfWork, at: datetime) -> None:
    """Store the bundled surveys that were never loaded (nothing changes when they were)."""
    for survey_id in bundled_surveys():
        if survey_id == "profile":
            continue
        if await uow.surveys.get(survey_id) is None:
            await store_survey_file(uow, bundled_survey_path(survey_id), at)


async def survey_for_wave(uow: UnitOfWork, wave: WaveRecord) -> Survey:
    """The definition a wave runs: the version frozen when it opened, else the latest loaded."""
    record = None
    if wave.definition_id is not None:
        record = await uow.surveys.get_by_id(wave.definition_id)
    if record is None:
        record = await uow.surveys.get(wave.survey_id)
    if record is None:
        raise LookupError(f"survey {wave.survey_id!r} is not loaded (machikoe survey load FILE)")
    return survey_from_record(record)
