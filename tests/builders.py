"""Quick builders for tests: respondents, waves, responses and comments in a few lines."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.app.catalog import ensure_bundled_surveys
from bot.app.services import Services
from storage.db import UnitOfWork
from storage.records import RespondentRecord, ResponseRecord, WaveRecord
from surveys.loader import parse_survey
from surveys.waves import WaveStatus

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
SURVEY_ID = "residency-livability"
PROFILE = {"age_band": "30s", "sex": "female", "district": "kuji", "years_lived": "10-19"}

UowFactory = Callable[[], UnitOfWork]


@dataclass
class Clock:
    """A clock tests set by hand, injected as `Services.clock`."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.now += delta


_serial = itertools.count(1)


async def make_respondent(
    uow_factory: UowFactory,
    *,
    key: str | None = None,
    consent: str | None = "given",
    chat_id: int | None = None,
    profile: Mapping[str, str | None] | None = None,
    language: str = "ja",
    line_user_id: str | None = None,
) -> RespondentRecord:
    """A committed respondent with consent, a contact (on LINE when given a LINE user id, else
    on Telegram) and (optionally) a profile."""
    number = next(_serial)
    async with uow_factory() as uow:
        respondent = await uow.respondents.get_or_create(key or f"key-{number:06d}", NOW)
        if language != "ja":
            await uow.respondents.set_language(respondent.id, language)
        if consent is not None:
            await uow.respondents.set_consent(respondent.id, consent, NOW)
        address = line_user_id or chat_id or 9_000_000_000 + number
        await uow.contacts.upsert(respondent.id, address, NOW)
        if profile is not None:
            await uow.profiles.update(respondent.id, at=NOW, **dict(profile))
        await uow.commit()
        found = await uow.respondents.get(respondent.id)
    assert found is not None
    return found


async def make_wave(
    uow_factory: UowFactory,
    *,
    status: str = "open",
    name: str = "2025 spring",
    survey_id: str = SURVEY_ID,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> WaveRecord:
    """A committed wave (open by default)."""
    async with uow_factory() as uow:
        wave = await uow.waves.create(
            name=name,
            survey_id=survey_id,
            at=NOW,
            opens_at=opens_at or NOW,
            closes_at=closes_at or NOW + timedelta(days=14),
        )
        if status != "draft":
            wave = await uow.waves.update_status(wave.id, status, NOW)
        await uow.commit()
    return wave


async def make_bundled_wave(
    uow_factory: UowFactory, *, status: str = "open", name: str = "2025 spring"
) -> WaveRecord:
    """The bundled surveys stored, and a committed wave of the livability survey."""
    async with uow_factory() as uow:
        await ensure_bundled_surveys(uow, NOW)
        await uow.commit()
    return await make_wave(uow_factory, status=status, name=name)


async def make_response(
    uow_factory: UowFactory,
    wave_id: int,
    respondent: RespondentRecord | None = None,
    *,
    answers: Mapping[str, str | None] | None = None,
    submit: bool = True,
    profile: Mapping[str, str | None] | None = None,
    other_texts: Mapping[str, str] | None = None,
    submitted_at: datetime = NOW,
) -> ResponseRecord:
    """A committed chat response with these answers and 「その他」 texts, submitted unless told."""
    respondent = respondent or await make_respondent(uow_factory, profile=profile or PROFILE)
    async with uow_factory() as uow:
        response = await uow.responses.start(wave_id, respondent.id, respondent.key, NOW)
        for question_id, value in (answers or {}).items():
            other = (other_texts or {}).get(question_id)
            await uow.responses.save_answer(response.id, question_id, value, other, NOW)
        if submit:
            await uow.responses.submit(response.id, profile or PROFILE, submitted_at)
        await uow.commit()
        stored = await uow.responses.get(response.id)
    assert stored is not None
    return stored


async def make_comment(
    uow_factory: UowFactory,
    wave_id: int,
    text: str,
    *,
    confidence: float | None,
    needs_review: bool = True,
    goals: Sequence[str] = ("3",),
    language: str = "ja",
) -> int:
    """A submitted response whose comment the classifier has judged (``confidence`` None: not
    classified yet); returns the comment id."""
    response = await make_response(uow_factory, wave_id, answers={"comment": text})
    async with uow_factory() as uow:
        answer = (await uow.responses.answers(response.id))["comment"]
        comment = await uow.comments.add(answer.id, wave_id, text, NOW, language)
        if confidence is not None:
            await uow.comments.set_classification(
                comment.id,
                goals=goals,
                primary_goal=goals[0],
                confidence=confidence,
                needs_review=needs_review,
                model_version="test",
                at=NOW,
            )
        await uow.commit()
    return comment.id


@dataclass(frozen=True)
class Seed:
    """A stored comment and the classifier's verdict on it (None: not classified yet)."""

    text: str
    goals: Sequence[str] | None = None
    confidence: float = 0.9
    review: bool = False
    district: str = "kuji"
    age_band: str = "30s"
    days: int = 0


async def store_comments(uow_factory: UowFactory, wave_id: int, seeds: Sequence[Seed]) -> list[int]:
    """Store one answered response and comment per seed; returns the comment ids."""
    ids = []
    for seed in seeds:
        profile = {**PROFILE, "district": seed.district, "age_band": seed.age_band}
        response = await make_response(
            uow_factory, wave_id, answers={"comment": seed.text}, profile=profile
        )
        async with uow_factory() as uow:
            answer = (await uow.responses.answers(response.id))["comment"]
            at = NOW + timedelta(days=seed.days)
            comment = await uow.comments.add(answer.id, wave_id, seed.text, at, language="ja")
            if seed.goals is not None:
                await uow.comments.set_classification(
                    comment.id,
                    goals=seed.goals,
                    primary_goal=seed.goals[0] if seed.goals else None,
                    confidence=seed.confidence,
                    needs_review=seed.review,
                    model_version="m1",
                    at=NOW,
                )
            await uow.commit()
        ids.append(comment.id)
    return ids


CHECKS_SURVEY = """
id: input-checks
version: "1"
title: {ja: 入力チェック, en: Input checks}
questions:
  - id: household
    type: number
    min: 1
    max: 20
    label: {ja: 世帯の人数を数字で入力してください。, en: "How many people live in your household?"}
  - id: nickname
    type: text
    max_length: 10
    label: {ja: 呼び名（10文字まで）, en: A short nickname}
  - id: mood
    type: single
    label: {ja: 今日の気分は？, en: "Your mood today?"}
    choices:
      - id: good
        label: {ja: よい, en: Good}
      - id: bad
        label: {ja: わるい, en: Bad}
"""


async def open_checks_wave(services: Services, closing_wave: int) -> int:
    """Close the bundled wave and open one of the input-check survey."""
    survey = parse_survey(CHECKS_SURVEY, "checks.yaml")
    now = services.now()
    async with services.uow() as uow:
        await uow.waves.update_status(closing_wave, WaveStatus.CLOSED, now)
        definition = await uow.surveys.add_version(
            survey.id, survey.version, survey.fingerprint, CHECKS_SURVEY, "入力チェック", now
        )
        wave = await uow.waves.create(
            name="checks", survey_id=survey.id, at=now, closes_at=now + timedelta(days=3)
        )
        await uow.waves.update_status(wave.id, WaveStatus.OPEN, now, definition_id=definition.id)
        await uow.commit()
    return wave.id
