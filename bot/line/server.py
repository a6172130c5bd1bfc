"""Serve the LINE webhook with uvicorn inside a running event loop (`machikoe run --line`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import uvicorn

from bot.app.conversation.context import Conversation
from bot.line.events import LineInbox
from bot.line.handler import LineChannel
from bot.line.push import messaging_api
from bot.line.webhook import webhook_app
from bot.services import Services
from surveys.modes import ResponseMode


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (`machikoe run`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class LineServer:
    """The LINE webhook on host:port (port 0: any free port) until stop()."""

    def __init__(self, services: Services, host: str = "127.0.0.1", port: int = 0) -> None:
        settings = services.settings
        if not settings.line_channel_secret or not settings.line_channel_token:
            raise ValueError(
                "LINE needs MACHIKOE_LINE_CHANNEL_SECRET and MACHIKOE_LINE_CHANNEL_TOKEN"
            )
        self.client, api = messaging_api(settings)
        conversation = Conversation(services, mode=ResponseMode.LINE)
        self.channel = LineChannel(conversation, api, LineInbox(services))
        app = webhook_app(self.channel, settings.line_channel_secret)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None
        self.host = host

    async def start(self) -> None:
        """Listen (after taking over what a stopped bot left), and return once accepting."""
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the start-up error (say, the port is in use)
                raise RuntimeError("the LINE webhook server stopped while starting")
            await asyncio.sleep(0.01)

    @property
    def url(self) -> str:
        """The webhook's address."""
        socket = self._server.servers[0].sockets[0]
        return f"http://{self.host}:{socket.getsockname()[1]}/line/webhook"

    async def stop(self) -> None:
        """Stop accepting, finish the requests in flight, close the API client."""
        if self._task is not None:
            self._server.should_exit = True
            await self._task
            self._task = None
        await self.client.close()


async def until_signalled() -> None:
    """Wait for SIGTERM or SIGINT."""
    import signal

    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, done.set)
            installed.append(sig)
    try:
        await done.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
