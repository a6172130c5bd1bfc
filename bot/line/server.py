"""Serve the LINE webhook with uvicorn inside a running event loop (`machikoe run --line`)."""

from __future__ import annotations

from bot.app.conversation.context import Conversation
from bot.app.services import Services
from bot.embedded_server import EmbeddedServer
from bot.line.events import LineInbox
from bot.line.handler import LineChannel
from bot.line.push import messaging_api
from bot.line.rich_menu import set_up_rich_menu
from bot.line.webhook import webhook_app
from surveys.modes import ResponseMode


class LineServer:
    """The LINE webhook on host:port (port 0: any free port) until stop()."""

    def __init__(self, services: Services, host: str = "127.0.0.1", port: int = 0) -> None:
        settings = services.settings
        if not settings.line_channel_secret or not settings.line_channel_token:
            raise ValueError(
                "LINE needs MACHIKOE_LINE_CHANNEL_SECRET and MACHIKOE_LINE_CHANNEL_TOKEN"
            )
        self.settings = settings
        self.client, api = messaging_api(settings)
        conversation = Conversation(services, mode=ResponseMode.LINE)
        self.channel = LineChannel(conversation, api, LineInbox(services))
        app = webhook_app(self.channel, settings.line_channel_secret)
        self._web = EmbeddedServer(app, host, port, name="the LINE webhook", lifespan="on")
        self.rich_menu_id: str | None = None

    async def start(self) -> None:
        """Listen (taking over what a stopped bot left), then make sure of the rich menu."""
        await self._web.start()
        self.rich_menu_id = await set_up_rich_menu(self.settings, self.channel.api)

    @property
    def url(self) -> str:
        """The webhook's address."""
        return self._web.url + "/line/webhook"

    async def stop(self) -> None:
        """Stop accepting, finish the requests in flight, close the API client."""
        await self._web.stop()
        await self.client.close()
