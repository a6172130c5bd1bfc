"""Retention on both backends: idle contacts go, old raw comments are masked, open waves stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.retention import RetentionPolicy, apply_retention
from bot.config import Settings
from storage.db import UnitOfWork
from storage.models import Answer, Response
from tests.builders import NOW, PROFILE, Clock, make_respondent, make_response, make_wave
from tests.ops.conftest import make_services

Uow = Callable[[], UnitOfWork]
DAY = timedelta(days=1)
RAW_PHONE = "駅前の件は0294-22-3111まで電話をください"
RAW_EMAIL = "taro@example.jp に連絡してください"
RAW_NAME = "山田太郎さんに相談しました"


async def _close(uow_factory: Uow, wave_id: int, at: object) -> None:
    async with uow_factory() as uow:
        await uow.waves.update_status(wave_id, "closed", at)  # type: ignore[arg-type]
        await uow.commit()


async def _values(uow_factory: Uow, wave_id: int) -> dict[tuple[int, str], tuple[str | None, ...]]:
    """Every answer of a wave: (response id, question) -> (value, other text)."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(Answer.response_id, Answer.question_id, Answer.value, Answer.other_text)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.wave_id == wave_id)
        )
        return {(r, q): (v, o) for r, q, v, o in rows}


async def _has_contact(uow_factory: Uow, respondent_id: int) -> bool:
    async with uow_factory() as uow:
        return await uow.contacts.get(respondent_id) is not None


async def test_idle_contacts_are_removed_but_answers_and_open_waves_stay(
    uow_factory: Uow, engine: AsyncEngine, tmp_path: Path, clock: Clock
) -> None:
    old = await make_wave(uow_factory, name="2025 spring")
    await make_response(uow_factory, old.id, idle := await make_respondent(uow_factory), answers={})
    await _close(uow_factory, old.id, NOW + DAY)
    current = await make_wave(uow_factory, name="2025 autumn")
    answering = await make_respondent(uow_factory)
    await make_response(uow_factory, current.id, answering, submit=False)
    invited = await make_respondent(uow_factory)
    returning = await make_respondent(uow_factory)
    async with uow_factory() as uow:
        await uow.invitations.create_pending(current.id, [invited.id], "invite", NOW)
        await uow.contacts.upsert(returning.id, 4242, NOW + 40 * DAY)  # wrote again lately
        await uow.commit()
    clock.now = NOW + 60 * DAY
    services = make_services(engine, tmp_path, clock, contact_retention_days=30)

    planned = await apply_retention(services, dry_run=True)
    assert (planned.contacts_removed, planned.dry_run) == (1, True)
    assert await _has_contact(uow_factory, idle.id)

    done = await apply_retention(services)
    assert done.contacts_removed == 1
    assert not await _has_contact(uow_factory, idle.id)
    for kept in (answering, invited, returning):
        assert await _has_contact(uow_factory, kept.id)
    async with uow_factory() as uow:
        assert await uow.respondents.get(idle.id) is not None  # pseudonymous answers remain
        assert len(await uow.responses.for_respondent(idle.id)) == 1
        audience = [m.respondent_id async for batch in uow.contacts.iter_audience() for m in batch]
    assert idle.id not in audience  # no more invitations

    again = await apply_retention(services)
    assert again.contacts_removed == 0


async def test_raw_comments_of_long_closed_waves_are_masked_once(
    uow_factory: Uow, engine: AsyncEngine, tmp_path: Path, clock: Clock, surveys_loaded: None
) -> None:
    old = await make_wave(uow_factory, name="2025 spring")
    classified = await make_response(uow_factory, old.id, answers={"comment": RAW_PHONE})
    async with uow_factory() as uow:
        answer = (await uow.responses.answers(classified.id))["comment"]
        await uow.comments.add(answer.id, old.id, "駅前の件は【電話番号】まで電話をください", NOW)
        await uow.commit()
    partial = await make_response(uow_factory, old.id, answers={"comment": RAW_EMAIL}, submit=False)
    async with uow_factory() as uow:
        await uow.responses.save_answer(partial.id, "leave_reasons", "other", RAW_NAME, NOW)
        await uow.commit()
    await _close(uow_factory, old.id, NOW + DAY)
    recent = await make_wave(uow_factory, name="2025 summer")
    await make_response(uow_factory, recent.id, answers={"comment": RAW_PHONE})
    await _close(uow_factory, recent.id, NOW + 50 * DAY)
    current = await make_wave(uow_factory, name="2025 autumn")
    await make_response(uow_factory, current.id, answers={"comment": RAW_PHONE}, submit=False)
    untouched = {w: await _values(uow_factory, w) for w in (recent.id, current.id)}
    clock.now = NOW + 60 * DAY
    services = make_services(engine, tmp_path, clock, comment_retention_days=30)

    done = await apply_retention(services)

    assert (done.answers_masked, done.waves_masked, done.contacts_removed) == (3, (old.id,), 0)
    values = await _values(uow_factory, old.id)
    assert values[(classified.id, "comment")][0] == "駅前の件は【電話番号】まで電話をください"
    assert values[(partial.id, "comment")][0] == "【メール】 に連絡してください"
    assert values[(partial.id, "leave_reasons")] == ("other", "【氏名】さんに相談しました")
    for wave_id, before in untouched.items():
        assert await _values(uow_factory, wave_id) == before  # open and recent waves stay raw

    again = await apply_retention(services)
    assert (again.answers_masked, again.waves_masked) == (0, ())
    assert await _values(uow_factory, old.id) == values


async def test_dry_run_counts_without_changing_and_no_policy_does_nothing(
    uow_factory: Uow, engine: AsyncEngine, tmp_path: Path, clock: Clock, surveys_loaded: None
) -> None:
    old = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    await make_response(uow_factory, old.id, resident, answers={"comment": RAW_EMAIL})
    await _close(uow_factory, old.id, NOW + DAY)
    before = await _values(uow_factory, old.id)
    clock.now = NOW + 400 * DAY

    nothing = await apply_retention(make_services(engine, tmp_path, clock))
    assert (nothing.contacts_removed, nothing.answers_masked) == (0, 0)

    services = make_services(engine, tmp_path, clock, retention_days=365)
    planned = await apply_retention(services, dry_run=True)
    assert (planned.contacts_removed, planned.answers_masked) == (1, 1)
    assert await _values(uow_factory, old.id) == before
    assert await _has_contact(uow_factory, resident.id)


def test_policy_reads_specific_days_before_the_general_setting() -> None:
    settings = Settings(retention_days=365, comment_retention_days=90)
    assert RetentionPolicy.from_settings(settings) == RetentionPolicy(365, 90)
    assert not RetentionPolicy.from_settings(Settings()).enabled
    with pytest.raises(ValueError, match="0 or more"):
        RetentionPolicy.from_settings(Settings(contact_retention_days=-1))
    env = {"MACHIKOE_CONTACT_RETENTION_DAYS": "30", "MACHIKOE_COMMENT_RETENTION_DAYS": "180"}
    assert RetentionPolicy.from_settings(Settings.from_env(env)) == RetentionPolicy(30, 180)
