"""The `line` fixture: machikoe's LINE webhook against the local LINE platform stand-in; what a
resident does there and what got stored, and invitations pushed to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app.conversation.resident import line_pseudonym
from bot.app.conversation.screens import Button, Screen
from bot.app.invitations import InvitationSender, Pacer, SendTally
from bot.app.services import Services
from bot.config import Settings
from bot.demo.line_platform import LinePlatform, LineUser
from bot.line.push import LinePusher
from bot.line.server import LineServer
from storage.db import create_engine, session_factory
from storage.lanes import step_lane_for
from storage.records import ContactRecord
from surveys.modes import Channel
from tests.bot.backends import backend as backend  # SQLite unless a test asks for both
from tests.bot.conftest import START, seed_open_wave
from tests.builders import Clock

SECRET = "test-secret-key"


@dataclass
class LineBot:
    """The platform, the bot's services and its webhook server, with one open wave."""

    platform: LinePlatform
    services: Services
    server: LineServer
    wave_id: int

    def user(self, user_id: str | None = None) -> LineUser:
        """A LINE user."""
        return self.platform.user(user_id)

    async def restart(self) -> None:
        """Stop the webhook server and start a new one (a new process's inbox)."""
        await self.server.stop()
        self.server = LineServer(self.services)
        await self.server.start()
        self.platform.webhook_url = self.server.url
        self.platform.settle = self.server.channel.idle
        await self.server.channel.idle()


@pytest.fixture
async def line(migrated_database_url: str, tmp_path: Path) -> AsyncIterator[LineBot]:
    """The LINE webhook serving on loopback, the SDK pointed at the stand-in; no violations."""
    async with LinePlatform() as platform:
        settings = Settings(
            data_dir=tmp_path,
            database_url=migrated_database_url,
            secret=SECRET,
            line_channel_secret=platform.secret,
            line_channel_token=platform.token,
            line_api_url=platform.api_url,
        )
        engine = create_engine(migrated_database_url)
        services = Services(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            secret=SECRET,
            clock=Clock(START),
            steps=step_lane_for(engine),
        )
        wave_id = await seed_open_wave(services)
        server = LineServer(services)
        await server.start()
        platform.webhook_url = server.url
        platform.settle = server.channel.idle
        bot = LineBot(platform, services, server, wave_id)
        try:
            yield bot
        finally:
            await bot.server.stop()
            await services.close()
        assert platform.violations == []


async def answers_of(services: Services, user_id: str, wave_id: int) -> dict[str, str | None]:
    """A LINE resident's stored answers in a wave."""
    async with services.uow() as uow:
        respondent = await uow.respondents.get_by_key(line_pseudonym(user_id, SECRET))
        assert respondent is not None
        response = await uow.responses.get_for(wave_id, respondent.id)
        if response is None:
            return {}
        return {q: a.value for q, a in (await uow.responses.answers(response.id)).items()}


async def response_of(services: Services, user_id: str, wave_id: int) -> tuple[str, str]:
    """A LINE resident's response status and mode."""
    async with services.uow() as uow:
        respondent = await uow.respondents.get_by_key(line_pseudonym(user_id, SECRET))
        assert respondent is not None
        response = await uow.responses.get_for(wave_id, respondent.id)
        assert response is not None
        return response.status, response.mode


async def contact_of(services: Services, user_id: str) -> ContactRecord | None:
    """A LINE resident's contact row."""
    async with services.uow() as uow:
        return await uow.contacts.by_line_user(user_id)


async def onboard(user: LineUser) -> None:
    """Follow, Japanese, consent, profile."""
    assert await user.follow() == 200
    await user.tap("日本語")
    await user.tap("同意する")
    for label in ("30代", "女性", "十王地区", "10〜19年"):
        await user.tap(label)


async def telegram_resident(line: LineBot, user_id: int) -> None:
    """A consenting Telegram resident with a contact (for the channel filter)."""
    now = line.services.now()
    async with line.services.uow() as uow:
        await uow.begin_write()
        respondent = await uow.respondents.get_or_create(line.services.respondent_key(user_id), now)
        await uow.respondents.set_consent(respondent.id, "given", now)
        await uow.contacts.upsert(respondent.id, user_id, now)
        await uow.commit()


async def invite(line: LineBot, channels: list[str] | None) -> int:
    """Invite the wave's audience (on these channels); how many invitations were made."""
    audience = {"channel": channels} if channels else {}
    async with line.services.uow() as uow:
        await uow.begin_write()
        created = await uow.invitations.invite_audience(line.wave_id, audience, line.services.now())
        await uow.commit()
    return created


@asynccontextmanager
async def pusher(line: LineBot) -> AsyncIterator[LinePusher]:
    """The LINE delivery a process with LINE configured sends through."""
    push = LinePusher(line.services.settings)
    try:
        yield push
    finally:
        await push.close()


async def send(line: LineBot) -> SendTally:
    """One sending run of the wave, LINE being the only channel (a LINE-only process)."""
    async with pusher(line) as push:
        sender = InvitationSender({Channel.LINE: push}, line.services, Pacer())
        return await sender.run(line.wave_id)


INVITATION = Screen("<b>まちの声</b> のお願い", ((Button("回答をはじめる", "w:1"),),))
"""An invitation as the sender hands it to LINE's Delivery."""


@pytest.fixture
async def platform() -> AsyncIterator[LinePlatform]:
    """The stand-in; no limit broken."""
    async with LinePlatform() as running:
        yield running
        assert running.violations == []


def settings_for(platform: LinePlatform, tmp_path: Path) -> Settings:
    """A process's settings with LINE configured at the stand-in."""
    return Settings(
        data_dir=tmp_path,
        line_channel_secret=platform.secret,
        line_channel_token=platform.token,
        line_api_url=platform.api_url,
    )
