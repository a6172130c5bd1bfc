"""The `line` fixture: machikoe's LINE webhook against the local LINE platform stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app.services import Services
from bot.config import Settings
from bot.demo.line_platform import LinePlatform, LineUser
from bot.line.server import LineServer
from storage.db import create_engine, session_factory
from storage.lanes import step_lane_for
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
