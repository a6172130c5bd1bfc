"""Survey definition versions and waves: plan, open, close, count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage.db import UnitOfWork
from storage.errors import StorageError
from storage.models import Invitation, ScheduledJob
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]


async def test_survey_versions_are_kept_and_reloading_is_a_no_op(uow_factory: Uow) -> None:
    async with uow_factory() as uow:
        v1 = await uow.surveys.add_version("resid", 1, "f1", "yaml: 1", "定住意向", NOW)
        again = await uow.surveys.add_version("resid", "1", "f1", "yaml: 1", "定住意向", NOW)
        v2 = await uow.surveys.add_version("resid", 2, "f2", "yaml: 2", "定住意向 2", NOW)
        other = await uow.surveys.add_version("other", "2024.1", "f3", "y", "Other", NOW)
        await uow.commit()
    assert again == v1 and v1.version == "1"
    async with uow_factory() as uow:
        assert await uow.surveys.get("resid") == v2
        assert await uow.surveys.get("resid", 1) == v1
        assert await uow.surveys.get_by_id(v1.id) == v1
        assert await uow.surveys.get("missing") is None
        assert await uow.surveys.list_latest() == [other, v2]
        assert await uow.surveys.versions("resid") == [v1, v2]


async def test_same_version_with_other_content_is_refused(uow_factory: Uow) -> None:
    async with uow_factory() as uow:
        await uow.surveys.add_version("resid", 1, "f1", "yaml: 1", "t", NOW)
        with pytest.raises(StorageError, match="version 1 is already loaded"):
            await uow.surveys.add_version("resid", 1, "changed", "yaml: 1b", "t", NOW)


async def test_wave_lifecycle_freezes_definition_and_stamps_times(uow_factory: Uow) -> None:
    async with uow_factory() as uow:
        definition = await uow.surveys.add_version("resid", 1, "f1", "y", "t", NOW)
        wave = await uow.waves.create(
            name="2025 spring",
            survey_id="resid",
            at=NOW,
            opens_at=NOW + timedelta(days=1),
            closes_at=NOW + timedelta(days=15),
            audience={"age_band": ["20s"]},
            reminders=["P3D", "P1D"],
            summary_schedule={"cron": "0 9 * * 1"},
        )
        assert (wave.status, wave.definition_id, wave.embargo_lifted) == ("draft", None, False)
        await uow.waves.update_status(wave.id, "scheduled", NOW)
        opened = await uow.waves.update_status(
            wave.id, "open", NOW + timedelta(days=1), definition_id=definition.id
        )
        await uow.commit()
    assert (opened.status, opened.definition_id) == ("open", definition.id)
    assert opened.opened_at == NOW + timedelta(days=1)
    assert opened.audience == {"age_band": ["20s"]} and opened.reminders == ["P3D", "P1D"]
    assert opened.summary_schedule == {"cron": "0 9 * * 1"}
    async with uow_factory() as uow:
        assert [w.id for w in await uow.waves.open_waves()] == [wave.id]
        closed = await uow.waves.update_status(wave.id, "closed", NOW + timedelta(days=15))
        await uow.waves.set_embargo_lifted(wave.id)
        await uow.commit()
    assert closed.closed_at == NOW + timedelta(days=15)
    async with uow_factory() as uow:
        stored = await uow.waves.get(wave.id)
        assert stored is not None and stored.embargo_lifted and stored.status == "closed"
        assert await uow.waves.open_waves() == []
        with pytest.raises(StorageError, match="unknown wave status"):
            await uow.waves.update_status(wave.id, "paused", NOW)
        with pytest.raises(StorageError, match="wave 999 does not exist"):
            await uow.waves.update_status(999, "open", NOW)


async def test_wave_list_update_and_next_planned(uow_factory: Uow) -> None:
    later = await make_wave(uow_factory, status="scheduled", opens_at=NOW + timedelta(days=30))
    sooner = await make_wave(uow_factory, status="draft", opens_at=NOW + timedelta(days=3))
    await make_wave(uow_factory, status="open", survey_id="other")
    async with uow_factory() as uow:
        assert (await uow.waves.next_planned()) == sooner
        renamed = await uow.waves.update(sooner.id, name="renamed", opens_at=NOW + timedelta(60))
        assert renamed.name == "renamed"
        assert (await uow.waves.next_planned()) == later
        assert await uow.waves.next_planned("other") is None
        assert [w.id for w in await uow.waves.list()] == [later.id + 2, sooner.id, later.id]
        assert len(await uow.waves.list("other")) == 1
        with pytest.raises(StorageError, match="cannot change 'status'"):
            await uow.waves.update(sooner.id, status="open")


async def _rows_of(uow: UnitOfWork, wave_id: int) -> tuple[int, int]:
    """How many schedules and invitations the database holds for a wave."""
    counts = []
    for model in (ScheduledJob, Invitation):
        stmt = select(func.count()).select_from(model).where(model.wave_id == wave_id)
        counts.append(await uow.session.scalar(stmt))
    return counts[0], counts[1]


async def test_deleting_a_wave_leaves_none_of_its_schedules_or_invitations(
    uow_factory: Uow,
) -> None:
    draft = await make_wave(uow_factory, status="draft")
    kept = await make_wave(uow_factory, status="draft")
    person = await make_respondent(uow_factory)
    async with uow_factory() as uow:
        for wave in (draft, kept):
            await uow.jobs.add("open", wave.id, NOW + timedelta(days=1))
            await uow.invitations.create_pending(wave.id, [person.id], "invite", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        await uow.waves.update_status(kept.id, "scheduled", NOW)  # e.g. scheduled meanwhile
        await uow.commit()
    async with uow_factory() as uow:
        await uow.waves.delete(draft.id, "draft")
        with pytest.raises(StorageError, match=f"wave {kept.id} does not exist as a draft"):
            await uow.waves.delete(kept.id, "draft")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.waves.get(draft.id) is None
        assert [w.id for w in await uow.waves.list()] == [kept.id]
        assert await _rows_of(uow, draft.id) == (0, 0)
        assert await _rows_of(uow, kept.id) == (1, 1)
        with pytest.raises(StorageError, match=f"wave {draft.id} does not exist"):
            await uow.waves.delete(draft.id, "draft")


async def test_wave_counts_invited_started_completed_by_age_band(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    people = [await make_respondent(uow_factory) for _ in range(4)]
    await make_response(uow_factory, wave.id, people[0], profile={**PROFILE, "age_band": "20s"})
    await make_response(uow_factory, wave.id, people[1], profile={**PROFILE, "age_band": "20s"})
    await make_response(uow_factory, wave.id, people[2], profile={**PROFILE, "age_band": None})
    await make_response(uow_factory, wave.id, people[3], submit=False)
    async with uow_factory() as uow:
        await uow.invitations.create_pending(wave.id, [p.id for p in people], "invite", NOW)
        targets = await uow.invitations.next_pending(wave.id, "invite", limit=3)
        for target in targets:
            await uow.invitations.mark(target.invitation_id, "sent", NOW)
        counts = await uow.waves.counts(wave.id)
    assert (counts.invited, counts.started, counts.completed) == (3, 4, 3)
    assert counts.by_age_band == {"20s": 2, "unknown": 1}
    assert counts.completion_rate == pytest.approx(0.75)
