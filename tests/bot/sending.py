"""Builders for tests of invitations, reminders and sending hours through the running bot."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app.waves import close_wave, create_wave, open_wave
from surveys.schedule import INVITATION, WAITING, InvitationState, JobKind, JobState
from tests.bot.conftest import BotApp
from tests.builders import PROFILE, make_respondent

FIRST = 9100
"""The first resident's chat id; `residents(app, n)` makes FIRST … FIRST + n - 1."""
TOKYO = ZoneInfo("Asia/Tokyo")
INVITED = "アンケート"
"""Words every invitation (and no reminder) has."""
REMINDER = "締切が近づいています"
"""Words every reminder has."""


def tokyo(day: int, hour: int, minute: int = 0) -> datetime:
    """A June 2025 time in Tokyo."""
    return datetime(2025, 6, day, hour, minute, tzinfo=TOKYO)


async def residents(app: BotApp, count: int) -> list[int]:
    """Residents with consent, a profile and a chat on the server; returns respondent ids."""
    ids = []
    for chat_id in range(FIRST, FIRST + count):
        app.server.user(chat_id)
        record = await make_respondent(app.services.uow, chat_id=chat_id, profile=PROFILE)
        ids.append(record.id)
    return ids


async def open_new_wave(app: BotApp, **plan: object) -> int:
    """Close the fixture's wave and open a new one of its survey closing in a week (nothing
    sent yet); its id."""
    await close_wave(app.services, app.wave_id)
    wave = await create_wave(
        app.services,
        survey_id="residency-livability",
        closes_at=app.services.now() + timedelta(days=7),
        **plan,  # type: ignore[arg-type]
    )
    await open_wave(app.services, wave.id)
    return wave.id


async def opened(app: BotApp, count: int, **plan: object) -> int:
    """`count` residents, then a new wave opened now (nothing sent yet); its id."""
    await residents(app, count)
    return await open_new_wave(app, **plan)


async def wait_sent(
    app: BotApp, wave_id: int, kind: str | None = INVITATION
) -> dict[InvitationState, int]:
    """Wait (at most ~20 s) until no invitation of the wave is pending."""
    for _ in range(200):
        async with app.services.uow() as uow:
            progress = await uow.invitations.progress(wave_id, kind=kind)
        if sum(progress[state] for state in WAITING) == 0 and app.jobs.sending == set():
            return progress
        await asyncio.sleep(0.1)
    raise AssertionError(f"invitations still pending: {progress}")


async def sender_done(app: BotApp) -> None:
    """Wait until no sender of this process runs."""
    for _ in range(100):
        if not app.jobs.sending:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("a sender is still running")


def invitations_in(app: BotApp, chat_id: int, marker: str = INVITED) -> int:
    """How many of the bot's messages with these words a chat received."""
    return sum(1 for m in app.server.transcript(chat_id) if m.from_bot and marker in m.text)


def received(app: BotApp, count: int, marker: str = INVITED) -> list[int]:
    """How many such messages each resident's chat received."""
    return [invitations_in(app, FIRST + i, marker) for i in range(count)]


def reminded(app: BotApp, count: int) -> list[int]:
    """How many reminders each resident's chat received."""
    return received(app, count, REMINDER)


async def reminder_jobs(app: BotApp, wave_id: int) -> list[JobState]:
    """The states of the wave's reminder jobs, in time order."""
    async with app.services.uow() as uow:
        jobs = await uow.jobs.for_wave(wave_id)
    return [job.state for job in jobs if job.kind is JobKind.REMINDER]


async def wait_reminders_done(app: BotApp, wave_id: int) -> None:
    """Wait (≤ 10 s) until every reminder job ran, then until its reminders are sent."""
    for _ in range(200):
        if set(await reminder_jobs(app, wave_id)) == {JobState.DONE}:
            await wait_sent(app, wave_id, kind=None)
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"reminder jobs: {await reminder_jobs(app, wave_id)}")


async def invited_wave(app: BotApp, count: int, reminders: list[str]) -> tuple[int, list[int]]:
    """A new open wave (closing in 7 days) that invited `count` residents; its id and theirs."""
    people = await residents(app, count)
    wave_id = await open_new_wave(app, reminders=reminders)
    app.jobs.start_sending(wave_id)
    await wait_sent(app, wave_id)
    return wave_id, people
