"""The `bot_app` fixture: the real machikoe Application long-polling a local Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app.scheduler import WaveJobs
from bot.app.services import Services
from bot.cli.run import wave_jobs_for
from bot.config import Settings
from bot.demo.botapi import LocalBotApiServer
from bot.telegram.application import build_application
from bot.telegram.runner import start, stop
from storage.db import create_engine, session_factory
from storage.lanes import step_lane_for
from surveys.bundled import bundled_survey_path
from surveys.loader import load_survey
from surveys.roles import Role
from tests.bot.demo.botapi.fixtures import assert_no_violations
from tests.builders import Clock, make_comment

SURVEY_ID = "residency-livability"
START = datetime(2025, 6, 2, 0, 0, tzinfo=UTC)


@dataclass
class BotApp:
    """The running bot, its server, services and the open wave; restart() keeps the DB."""

    server: LocalBotApiServer
    services: Services
    application: Application  # type: ignore[type-arg]
    wave_id: int
    jobs: WaveJobs
    """The process's wave jobs (started after the application, stopped before it)."""
    clock: Clock = field(default_factory=lambda: Clock(START))

    def idle(self) -> bool:
        """No update waiting at the server or unconfirmed (the bot confirms an update once it
        is recorded and queued), queued, or being processed by the application."""
        processor = self.application.update_processor
        return (
            self.server.queue.unconfirmed() == 0
            and self.application.update_queue.empty()
            and processor.current_concurrent_updates == 0
        )

    async def settle(self) -> None:
        """Wait until every update sent so far is fully handled (twice idle, 20 ms apart)."""
        calm = 0
        while calm < 2:
            await self.server.settle(quiet=0.02)
            calm = calm + 1 if self.idle() else 0
            await asyncio.sleep(0.02)

    async def add_staff(self, user_id: int, role: Role) -> None:
        """Grant a Telegram user a staff role in the database."""
        async with self.services.uow() as uow:
            await uow.staff.add(user_id, role, self.services.now())
            await uow.commit()

    async def add_comment(self, text: str, **judged: Any) -> int:
        """A submitted comment in the fixture's wave, judged as told (see make_comment)."""
        return await make_comment(self.services.uow, self.wave_id, text, **judged)

    def last_text(self, user_id: int) -> str:
        """The bot's latest message text in a private chat."""
        message = self.server.user(user_id).last_bot_message
        return message.text if message is not None else ""

    async def restart(self) -> None:
        """Stop the application and start a new one on the same database."""
        await self.jobs.stop()
        await stop(self.application)
        self.application = new_application(self.server, self.services)
        self.jobs = wave_jobs_for(self.services, self.application)
        await start(self.application, poll_timeout=1)
        await self.jobs.start()


def new_application(server: LocalBotApiServer, services: Services) -> Application:  # type: ignore[type-arg]
    """A machikoe Application pointed at the local server."""
    return build_application(
        services, server.token, base_url=server.base_url, base_file_url=server.file_base_url
    )


async def seed_open_wave(services: Services, survey_id: str = SURVEY_ID) -> int:
    """Store the bundled survey and open one wave of it; returns the wave id."""
    path = bundled_survey_path(survey_id)
    survey = load_survey(path)
    now = services.now()
    async with services.uow() as uow:
        definition = await uow.surveys.add_version(
            survey.id,
            survey.version,
            survey.fingerprint,
            Path(path).read_text(encoding="utf-8"),
            survey.title.text("ja"),
            now,
        )
        wave = await uow.waves.create(
            name="2025 夏",
            survey_id=survey.id,
            at=now,
            opens_at=now,
            closes_at=now + timedelta(days=14),
        )
        await uow.waves.update_status(wave.id, "open", now, definition_id=definition.id)
        await uow.commit()
    return wave.id


@pytest.fixture
async def bot_services(migrated_database_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    """Services over a migrated test database with a settable clock."""
    settings = Settings(
        data_dir=tmp_path, database_url=migrated_database_url, secret="test-secret-key"
    )
    engine = create_engine(migrated_database_url)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        secret="test-secret-key",
        clock=Clock(START),
        steps=step_lane_for(engine),  # the survey step's lane, as Services.open sets it up
    )
    yield services
    await services.close()


@pytest.fixture
async def bot_app(bot_services: Services) -> AsyncIterator[BotApp]:
    """The machikoe bot polling a local Bot API server, one open wave; zero violations."""
    async with LocalBotApiServer() as server:
        wave_id = await seed_open_wave(bot_services)
        application = new_application(server, bot_services)
        clock = bot_services.clock
        assert isinstance(clock, Clock)
        jobs = wave_jobs_for(bot_services, application)
        harness = BotApp(server, bot_services, application, wave_id, jobs, clock)
        await start(application, poll_timeout=1)
        await jobs.start()
        try:
            yield harness
        finally:
            await harness.jobs.stop()
            await stop(harness.application)
        assert_no_violations(server)


class Player:
    """Plays one resident against the bot: every action waits until the bot has settled."""

    def __init__(self, bot: BotApp, user_id: int, language_code: str = "ja") -> None:
        self.bot = bot
        self.resident = bot.server.user(user_id, language_code=language_code)

    async def settle(self) -> None:
        """Wait until the bot has handled everything sent so far."""
        await self.bot.settle()

    async def command(self, command: str) -> None:
        """Send a command."""
        self.resident.send_command(command)
        await self.settle()

    async def say(self, text: str) -> None:
        """Type a message."""
        self.resident.send_text(text)
        await self.settle()

    async def tap(self, fragment: str, message: object = None) -> None:
        """Tap the latest button labelled `fragment` (ticked or not), else one containing it."""
        try:
            self.resident.tap(lambda text, data: text.removeprefix("✓ ") == fragment, message)  # type: ignore[arg-type]
        except LookupError:
            self.resident.tap(lambda text, data: fragment in text, message)  # type: ignore[arg-type]
        await self.settle()

    @property
    def last(self) -> str:
        """The text of the bot's latest message."""
        message = self.resident.last_bot_message
        return message.text if message is not None else ""

    @property
    def buttons(self) -> list[str]:
        """Labels of the latest bot message's buttons."""
        message = self.resident.last_bot_message
        return message.button_texts if message is not None else []

    async def onboard(self, language: str = "日本語", profile: tuple[str, ...] = ()) -> None:
        """/start, choose the language, agree, and give the profile."""
        await self.command("/start")
        await self.tap(language)
        await self.tap(AGREE[language])
        for label in profile or PROFILE_LABELS[language]:
            await self.tap(label)


AGREE = {"日本語": "同意する", "English": "I agree", "やさしい日本語": "はい、いいです"}
PROFILE_LABELS = {
    "日本語": ("30代", "女性", "十王地区", "10〜19年"),
    "English": ("30s", "Female", "Juo", "10 to 19 years"),
    "やさしい日本語": ("30〜39さい", "おんな", "じゅうおう", "10〜19ねん"),
}


async def stored_answers(services: Services, user_id: int, wave_id: int) -> dict[str, str | None]:
    """The answers stored for a resident in a wave, by question id."""
    async with services.uow() as uow:
        respondent = await uow.respondents.get_by_key(services.respondent_key(user_id))
        assert respondent is not None
        response = await uow.responses.get_for(wave_id, respondent.id)
        if response is None:
            return {}
        return {q: a.value for q, a in (await uow.responses.answers(response.id)).items()}


async def response_status(services: Services, user_id: int, wave_id: int) -> str | None:
    """The status of a resident's response ('partial', 'complete') or None."""
    async with services.uow() as uow:
        respondent = await uow.respondents.get_by_key(services.respondent_key(user_id))
        if respondent is None:
            return None
        response = await uow.responses.get_for(wave_id, respondent.id)
        return response.status if response else None
