"""Serve the console with uvicorn inside a running event loop (the demo and browser tests)."""

from __future__ import annotations

from starlette.applications import Starlette

from bot.embedded_server import EmbeddedServer


class ConsoleServer(EmbeddedServer):
    """The console app on host:port (port 0: any free port) until stop()."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(app, host, port, name="the console server", lifespan="off")
