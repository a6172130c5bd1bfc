"""Reminder cap, minimum gap and who is left out, held by the database on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from storage.db import UnitOfWork
from storage.records import RespondentRecord
from tests.builders import NOW, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]
DAY = timedelta(days=1)


async def send_all(uow_factory: Uow, wave_id: int, at: datetime = NOW) -> list[int]:
    """Claim and mark sent everything claimable of the wave at ``at``; the respondent ids."""
    async with uow_factory() as uow:
        targets = await uow.invitations.claim(wave_id, "test", at, 1000)
        for target in targets:
            await uow.invitations.mark(target.invitation_id, "sent", at)
        await uow.commit()
    return sorted(t.respondent_id for t in targets)


async def invited(uow_factory: Uow, count: int) -> tuple[int, list[RespondentRecord]]:
    """An open wave whose invitations to `count` residents were sent at NOW."""
    wave = await make_wave(uow_factory)
    people = [await make_respondent(uow_factory) for _ in range(count)]
    async with uow_factory() as uow:
        await uow.invitations.invite_audience(wave.id, {}, NOW)
        await uow.commit()
    await send_all(uow_factory, wave.id)
    return wave.id, people


async def test_no_resident_gets_more_reminders_than_the_cap(uow_factory: Uow) -> None:
    wave_id, _ = await invited(uow_factory, 2)
    for number in range(1, 5):
        async with uow_factory() as uow:
            await uow.invitations.create_reminders(
                wave_id, f"reminder-{number}", NOW + number * DAY, max_reminders=2
            )
            await uow.commit()
        await send_all(uow_factory, wave_id, NOW + number * DAY)
    async with uow_factory() as uow:
        progress = await uow.invitations.progress(wave_id, kind=None)
    assert progress["sent"] == 2 + 2 * 2  # the invitations, then two reminders each


async def test_the_cap_holds_when_replicas_create_reminders_at_once(uow_factory: Uow) -> None:
    wave_id, people = await invited(uow_factory, 3)

    async def remind(number: int) -> None:
        async with uow_factory() as uow:
            await uow.invitations.create_reminders(
                wave_id, f"reminder-{number}", NOW + DAY, max_reminders=1
            )
            await uow.commit()

    await asyncio.gather(*(remind(number) for number in range(4)))
    assert await send_all(uow_factory, wave_id, NOW + DAY) == sorted(p.id for p in people)
    async with uow_factory() as uow:
        assert (await uow.invitations.progress(wave_id, kind=None))["sent"] == 3 + 3


async def test_a_reminder_waits_for_the_gap_since_the_last_message(uow_factory: Uow) -> None:
    wave_id, people = await invited(uow_factory, 1)
    soon = NOW + timedelta(hours=3)
    async with uow_factory() as uow:
        assert await uow.invitations.create_reminders(wave_id, "r-1", soon, min_gap=DAY) == 1
        assert await uow.invitations.next_due(wave_id, soon) == NOW + DAY
        await uow.commit()
    assert await send_all(uow_factory, wave_id, NOW + DAY - timedelta(minutes=1)) == []
    assert await send_all(uow_factory, wave_id, NOW + DAY) == [people[0].id]


async def test_waiting_messages_skip_residents_who_stopped_or_finished_meanwhile(
    uow_factory: Uow,
) -> None:
    wave_id, people = await invited(uow_factory, 4)
    stopped, finished, blocked, still = people
    later = NOW + DAY
    async with uow_factory() as uow:
        assert await uow.invitations.create_reminders(wave_id, "r-1", later) == 4
        await uow.contacts.set_subscribed(stopped.id, False, later)
        await uow.contacts.mark_blocked(blocked.id, later)
        await uow.commit()
    await make_response(uow_factory, wave_id, finished)
    assert await send_all(uow_factory, wave_id, later) == [still.id]
    async with uow_factory() as uow:
        progress = await uow.invitations.progress(wave_id, kind="r-1")
    assert (progress["sent"], progress["failed"]) == (1, 3)


async def test_results_go_once_to_participants_still_subscribed(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory, status="closed")
    answered, stopped, silent = [await make_respondent(uow_factory) for _ in range(3)]
    await make_response(uow_factory, wave.id, answered)
    await make_response(uow_factory, wave.id, stopped, submit=False)
    async with uow_factory() as uow:
        await uow.contacts.set_subscribed(stopped.id, False, NOW)
        assert await uow.waves.mark_results_sent(wave.id, "ありがとうございました", NOW)
        assert not await uow.waves.mark_results_sent(wave.id, "もう一度", NOW)
        assert await uow.invitations.invite_participants(wave.id, NOW) == 1
        assert await uow.invitations.invite_participants(wave.id, NOW) == 0
        await uow.commit()
    assert await send_all(uow_factory, wave.id) == [answered.id]
    async with uow_factory() as uow:
        stored = await uow.waves.get(wave.id)
    assert stored is not None and stored.results_message == "ありがとうございました"
    assert silent.id not in await send_all(uow_factory, wave.id)


async def test_messages_on_a_held_channel_stay_pending_while_the_others_go(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    on_telegram = await make_respondent(uow_factory)
    await make_respondent(uow_factory, line_user_id="U" + "b" * 32)
    async with uow_factory() as uow:
        await uow.invitations.invite_audience(wave.id, {}, NOW)
        assert await uow.invitations.next_due(wave.id, NOW, held={"telegram", "line"}) is None
        assert await uow.invitations.next_due(wave.id, NOW, held={"line"}) == NOW
        targets = await uow.invitations.claim(wave.id, "test", NOW, 1000, held={"line"})
        await uow.commit()
        assert [t.respondent_id for t in targets] == [on_telegram.id]
        progress = await uow.invitations.progress(wave.id)
    assert progress["pending"] == 1 and progress["sending"] == 1
