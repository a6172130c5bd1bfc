"""Invitations and reminders (sent once, resumable) and scheduled jobs (fired once)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import IntegrityError

from storage.db import UnitOfWork, create_engine
from storage.errors import StorageError
from storage.migrate import alembic_config
from storage.models import Invitation
from storage.records import InvitationRecord
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]


async def test_inviting_the_audience_twice_creates_each_invitation_once(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    twenties = [
        await make_respondent(uow_factory, profile={**PROFILE, "age_band": "20s"}) for _ in range(3)
    ]
    await make_respondent(uow_factory, profile={**PROFILE, "age_band": "60s"})
    await make_respondent(uow_factory, consent="declined", profile={**PROFILE, "age_band": "20s"})
    async with uow_factory() as uow:
        assert await uow.invitations.invite_audience(wave.id, {"age_band": ["20s"]}, NOW) == 3
        assert await uow.invitations.invite_audience(wave.id, {"age_band": ["20s"]}, NOW) == 0
        assert await uow.invitations.invite_audience(wave.id, {}, NOW) == 1
        assert await uow.invitations.create_pending(wave.id, [twenties[0].id], "invite", NOW) == 0
        await uow.commit()
    async with uow_factory() as uow:
        progress = await uow.invitations.progress(wave.id)
    assert progress == {"pending": 4, "sending": 0, "sent": 0, "failed": 0, "blocked": 0}


async def test_sending_resumes_where_it_stopped_and_never_twice(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    people = [await make_respondent(uow_factory, language="en") for _ in range(5)]
    async with uow_factory() as uow:
        await uow.invitations.create_pending(wave.id, [p.id for p in people], "invite", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        batch = await uow.invitations.next_pending(wave.id, "invite", limit=2)
        assert [t.respondent_id for t in batch] == [people[0].id, people[1].id]
        assert all(t.language == "en" and t.chat_id > 0 for t in batch)
        assert await uow.invitations.mark(batch[0].invitation_id, "sent", NOW)
        assert not await uow.invitations.mark(batch[0].invitation_id, "sent", NOW)
        await uow.invitations.record_attempt(batch[1].invitation_id, NOW, "429 retry after 3")
        await uow.commit()  # then the process "crashes"
    async with uow_factory() as uow:
        resumed = await uow.invitations.next_pending(wave.id, limit=10)
        assert [t.respondent_id for t in resumed] == [p.id for p in people[1:]]
        assert resumed[0].attempts == 1
        page = await uow.invitations.next_pending(wave.id, after_id=resumed[1].invitation_id)
        assert [t.respondent_id for t in page] == [p.id for p in people[3:]]
        await uow.invitations.mark(resumed[1].invitation_id, "blocked", NOW, "403")
        await uow.invitations.mark(resumed[2].invitation_id, "failed", NOW, "400")
        with pytest.raises(StorageError, match="unknown invitation state"):
            await uow.invitations.mark(resumed[3].invitation_id, "lost", NOW)
        stored = await uow.invitations.get(resumed[1].invitation_id)
        assert stored is not None and (stored.state, stored.error) == ("blocked", "403")
        assert await uow.invitations.progress(wave.id) == {
            "pending": 2,
            "sending": 0,
            "sent": 1,
            "failed": 1,
            "blocked": 1,
        }


async def test_reminders_go_to_invited_or_started_who_did_not_finish(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    invited_only, started, finished, unsubscribed, stranger = [
        await make_respondent(uow_factory) for _ in range(5)
    ]
    await make_response(uow_factory, wave.id, started, submit=False)
    await make_response(uow_factory, wave.id, finished)
    async with uow_factory() as uow:
        ids = [invited_only.id, finished.id, unsubscribed.id]
        await uow.invitations.create_pending(wave.id, ids, "invite", NOW)
        for target in await uow.invitations.next_pending(wave.id):
            await uow.invitations.mark(target.invitation_id, "sent", NOW)
        await uow.contacts.set_subscribed(unsubscribed.id, False, NOW)
        assert await uow.invitations.create_reminders(wave.id, "reminder-1", NOW) == 2
        assert await uow.invitations.create_reminders(wave.id, "reminder-1", NOW) == 0
        await uow.commit()
    async with uow_factory() as uow:
        targets = await uow.invitations.next_pending(wave.id, "reminder-1")
    assert sorted(t.respondent_id for t in targets) == sorted([invited_only.id, started.id])
    assert stranger.id not in [t.respondent_id for t in targets]


async def test_jobs_are_stored_once_and_due_ones_include_missed(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory, status="scheduled")
    async with uow_factory() as uow:
        opening = await uow.jobs.add("open", wave.id, NOW)
        assert await uow.jobs.add("open", wave.id, NOW) == opening
        reminder = await uow.jobs.add(
            "reminder", wave.id, NOW + timedelta(days=3), {"kind": "reminder-1"}
        )
        closing = await uow.jobs.add("close", wave.id, NOW + timedelta(days=14))
        with pytest.raises(StorageError, match="unknown job kind"):
            await uow.jobs.add("explode", wave.id, NOW)
        await uow.commit()
    assert reminder.detail == {"kind": "reminder-1"} and opening.state == "pending"
    async with uow_factory() as uow:
        assert await uow.jobs.pending(wave.id) == [opening, reminder, closing]
        assert await uow.jobs.due(NOW - timedelta(seconds=1)) == []
        assert await uow.jobs.due(NOW + timedelta(days=5)) == [opening, reminder]
        assert await uow.jobs.get(closing.id) == closing


async def test_a_job_fires_exactly_once_even_when_claimed_concurrently(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory, status="scheduled")
    async with uow_factory() as uow:
        job = await uow.jobs.add("open", wave.id, NOW)
        await uow.commit()

    async def claim() -> bool:
        async with uow_factory() as uow:
            won = await uow.jobs.mark_fired(job.id, NOW)
            await uow.commit()
            return won

    assert sorted(await asyncio.gather(*(claim() for _ in range(5)))) == [False] * 4 + [True]
    async with uow_factory() as uow:
        fired = await uow.jobs.get(job.id)
        assert fired is not None and (fired.state, fired.fired_at) == ("running", NOW)
        assert await uow.jobs.due(NOW + timedelta(days=1)) == []
        await uow.jobs.mark_done(job.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert [j.state for j in await uow.jobs.for_wave(wave.id)] == ["done"]


async def test_cancel_drops_only_pending_jobs(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory, status="scheduled")
    async with uow_factory() as uow:
        fired = await uow.jobs.add("open", wave.id, NOW)
        await uow.jobs.mark_fired(fired.id, NOW)
        await uow.jobs.add("summary", wave.id, NOW + timedelta(days=7))
        await uow.jobs.add("close", wave.id, NOW + timedelta(days=14))
        assert await uow.jobs.cancel(wave.id, "summary") == 1
        assert await uow.jobs.cancel(wave.id) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert [j.kind for j in await uow.jobs.for_wave(wave.id)] == ["open"]


async def test_two_senders_claim_disjoint_invitations_and_stale_claims_fail(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    people = [await make_respondent(uow_factory) for _ in range(6)]
    async with uow_factory() as uow:
        await uow.invitations.create_pending(wave.id, [p.id for p in people], "invite", NOW)
        await uow.commit()

    async def claim(token: str) -> list[int]:
        claimed: list[int] = []
        while True:
            async with uow_factory() as uow:
                batch = await uow.invitations.claim(wave.id, token, NOW, limit=2)
                await uow.commit()
            if not batch:
                return claimed
            claimed += [t.respondent_id for t in batch]

    first, second = await asyncio.gather(claim("a"), claim("b"))
    assert sorted(first + second) == sorted(p.id for p in people)
    assert not set(first) & set(second)
    async with uow_factory() as uow:
        assert (await uow.invitations.progress(wave.id))["sending"] == 6
        assert await uow.invitations.claim(wave.id, "c", NOW) == []
        assert await uow.invitations.next_pending(wave.id) == []
        assert await uow.invitations.waves_with_unclaimed() == []
        ids = sorted(i.id for i in await _invitations(uow_factory, wave.id))
        assert await uow.invitations.release(ids[:2], NOW) == 2  # a graceful stop
        assert await uow.invitations.release(ids[:2], NOW) == 0
        assert await uow.invitations.waves_with_unclaimed() == [wave.id]
        assert await uow.invitations.cancel_pending(wave.id, NOW, "wave closed") == 2
        soon = NOW + timedelta(minutes=5)
        assert await uow.invitations.fail_stale_claims(NOW, soon) == 0  # within the lease
        later = NOW + timedelta(minutes=30)
        assert await uow.invitations.fail_stale_claims(later, later) == 4
        assert not await uow.invitations.mark(ids[2], "sent", later)  # never sent after all
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.invitations.progress(wave.id) == {
            "pending": 0,
            "sending": 0,
            "sent": 0,
            "failed": 6,
            "blocked": 0,
        }
        stale = await uow.invitations.get(ids[2])
        assert stale is not None and "not resent" in (stale.error or "")


async def test_a_claimed_invitation_is_sending_until_its_outcome_is_recorded(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    people = [await make_respondent(uow_factory, language="en") for _ in range(3)]
    async with uow_factory() as uow:
        await uow.invitations.create_pending(wave.id, [p.id for p in people], "invite", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        claimed = await uow.invitations.claim(wave.id, "a", NOW, limit=2)
        await uow.commit()
    assert [t.respondent_id for t in claimed] == [people[0].id, people[1].id]
    assert all(t.language == "en" and t.chat_id > 0 for t in claimed)
    async with uow_factory() as uow:
        stored = await uow.invitations.get(claimed[0].invitation_id)
        assert stored is not None and (stored.state, stored.error) == ("sending", None)
        await uow.invitations.record_attempt(claimed[0].invitation_id, NOW, "network: TimedOut")
        assert await uow.invitations.mark(claimed[0].invitation_id, "sent", NOW)
        assert not await uow.invitations.mark(claimed[0].invitation_id, "failed", NOW)
        assert await uow.invitations.mark(claimed[1].invitation_id, "blocked", NOW, "403")
        with pytest.raises(StorageError, match="unknown invitation state"):
            await uow.invitations.mark(claimed[1].invitation_id, "sending", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        sent = await uow.invitations.get(claimed[0].invitation_id)
        assert sent is not None and (sent.state, sent.attempts) == ("sent", 2)
        assert await uow.invitations.progress(wave.id) == {
            "pending": 1,
            "sending": 0,
            "sent": 1,
            "failed": 0,
            "blocked": 1,
        }


async def test_a_late_reminder_reminds_only_residents_invited_before_its_time(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    early, late = [await make_respondent(uow_factory) for _ in range(2)]
    async with uow_factory() as uow:
        await uow.invitations.create_pending(wave.id, [early.id], "invite", NOW)
        for target in await uow.invitations.next_pending(wave.id):
            await uow.invitations.mark(target.invitation_id, "sent", NOW)
        later = NOW + timedelta(days=2)
        await uow.invitations.create_pending(wave.id, [late.id], "invite", later)
        for target in await uow.invitations.next_pending(wave.id):
            await uow.invitations.mark(target.invitation_id, "sent", later)
        due = NOW + timedelta(days=1)
        assert await uow.invitations.create_reminders(wave.id, "reminder-1", later, due) == 1
        assert await uow.invitations.create_reminders(wave.id, "reminder-2", later) == 2
        await uow.commit()
    async with uow_factory() as uow:
        targets = await uow.invitations.next_pending(wave.id, "reminder-1")
    assert [t.respondent_id for t in targets] == [early.id]


async def _invitations(uow_factory: Uow, wave_id: int) -> list[InvitationRecord]:
    """Every invitation of a wave."""
    async with uow_factory() as uow:
        ids = await uow.session.scalars(select(Invitation.id).where(Invitation.wave_id == wave_id))
        records = [await uow.invitations.get(i) for i in ids]
    return [r for r in records if r is not None]


async def test_a_released_job_runs_again(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    async with uow_factory() as uow:
        job = await uow.jobs.add("invite", wave.id, NOW)
        assert await uow.jobs.mark_fired(job.id, NOW)
        await uow.jobs.release(job.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert [j.id for j in await uow.jobs.due(NOW)] == [job.id]


async def test_a_job_left_running_by_a_dead_process_is_found_after_the_lease(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    async with uow_factory() as uow:
        job = await uow.jobs.add("summary", wave.id, NOW, {"final": True})
        assert await uow.jobs.mark_fired(job.id, NOW)
        await uow.commit()  # then the process dies
    async with uow_factory() as uow:
        assert await uow.jobs.stale(NOW) == []  # still within its lease
        [stale] = await uow.jobs.stale(NOW + timedelta(minutes=20))
        assert await uow.jobs.retry(stale, {"final": True, "retries": 1})
        assert not await uow.jobs.retry(stale, {"final": True, "retries": 1})  # other replica
        await uow.commit()
    async with uow_factory() as uow:
        [again] = await uow.jobs.due(NOW)
        assert (again.id, again.fired_at, again.detail) == (
            job.id,
            None,
            {"final": True, "retries": 1},
        )
        assert await uow.jobs.mark_fired(job.id, NOW + timedelta(minutes=20))
        [stale] = await uow.jobs.stale(NOW + timedelta(hours=1))
        assert await uow.jobs.give_up(stale)
        await uow.commit()
    async with uow_factory() as uow:
        assert [(j.state, j.id) for j in await uow.jobs.for_wave(wave.id)] == [("done", job.id)]
        assert await uow.jobs.stale(NOW + timedelta(days=1)) == []


def _upgrade_to(connection: Connection, revision: str) -> None:
    """Run the migrations up to one revision."""
    command.upgrade(alembic_config(connection), revision)


async def test_upgrading_turns_old_claim_markers_into_the_sending_state(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "0002")
            for statement in OLD_ROWS:
                await connection.execute(text(statement), {"at": NOW})
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "head")
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT respondent_id, state, error FROM invitations ORDER BY respondent_id")
            )
            states = [tuple(row) for row in rows]
        async with engine.begin() as connection:
            with pytest.raises(IntegrityError):
                await connection.execute(text("UPDATE invitations SET state = 'lost'"))
    finally:
        await engine.dispose()
    assert states == [(1, "sending", None), (2, "pending", None), (3, "sent", None)]


OLD_ROWS = [
    "INSERT INTO respondents (id, key, language, created_at) VALUES "
    "(1, 'k1', 'ja', :at), (2, 'k2', 'ja', :at), (3, 'k3', 'ja', :at)",
    "INSERT INTO waves (id, name, survey_id, status, audience, reminders, embargo_lifted, "
    "created_at) VALUES (1, 'w', 's', 'open', '{}', '[]', false, :at)",
    "INSERT INTO invitations (wave_id, respondent_id, kind, state, attempts, updated_at, error) "
    "VALUES (1, 1, 'invite', 'pending', 0, :at, 'sending a1b2 0123456789ab'), "
    "(1, 2, 'invite', 'pending', 0, :at, NULL), (1, 3, 'invite', 'sent', 1, :at, NULL)",
]
