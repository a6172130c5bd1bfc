"""The demo's LINE side: the platform stand-in (with the page's API) and the real webhook."""

from __future__ import annotations

import secrets
from dataclasses import replace

from bot.app.services import Services
from bot.config import Settings
from bot.demo.line_platform.client import DemoLinePlatform
from bot.line.server import LineServer


class LineDemo:
    """Started in two steps: the platform (its address goes into the settings), then the bot."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.platform = DemoLinePlatform(
            secret=secrets.token_hex(16), token=secrets.token_hex(24), host=host
        )
        self.server: LineServer | None = None
        self._started = False

    async def start_platform(self) -> None:
        """The stand-in listens (any free port on the demo's host)."""
        await self.platform.__aenter__()
        self._started = True

    def settings(self, settings: Settings) -> Settings:
        """The bot's settings pointed at the stand-in."""
        return replace(
            settings,
            line_channel_secret=self.platform.secret,
            line_channel_token=self.platform.token,
            line_api_url=self.platform.api_url,
        )

    async def start(self, services: Services) -> None:
        """The bot's LINE webhook, the stand-in sending to it (its rich menu made at start)."""
        self.server = LineServer(services)
        await self.server.start()
        self.platform.webhook_url = self.server.url
        self.platform.settle = self.server.channel.idle

    @property
    def port(self) -> int:
        """The stand-in's port (the page reaches it on its own host name)."""
        return int(self.platform.api_url.rsplit(":", 1)[1])

    async def stop(self) -> None:
        """The webhook, then the stand-in."""
        try:
            if self.server is not None:
                await self.server.stop()
                self.server = None
        finally:
            if self._started:
                self._started = False
                await self.platform.__aexit__(None, None, None)
