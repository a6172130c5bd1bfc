"""An ASGI app served by uvicorn inside a running event loop (console, LINE webhook, stand-ins)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any, Literal

import uvicorn


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (`machikoe run`, the demo)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class EmbeddedServer:
    """`app` on host:port (port 0: any free port) from start() until stop()."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        name: str = "the web server",
        lifespan: Literal["auto", "on", "off"] = "auto",
    ) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan=lifespan)
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None
        self.host = host
        self.name = name

    async def start(self) -> None:
        """Listen, and return once connections are accepted."""
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the start-up error (say, the port is in use)
                raise RuntimeError(f"{self.name} stopped while starting")
            await asyncio.sleep(0.01)

    @property
    def url(self) -> str:
        """The address it listens on."""
        socket = self._server.servers[0].sockets[0]
        return f"http://{self.host}:{socket.getsockname()[1]}"

    async def stop(self) -> None:
        """Stop accepting and finish the requests in flight."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
