"""Pytest fixtures for a local Bot API server that fails the test on any spec violation, and a
python-telegram-bot Application pointed at one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application, ApplicationBuilder

from bot.demo.botapi import LocalBotApiServer


def assert_no_violations(server: LocalBotApiServer) -> None:
    """Fail with a readable list if the bot broke the Bot API spec or Telegram's limits."""
    if server.violations:
        lines = "\n".join(f"  {v.method}: {v.kind}: {v.detail}" for v in server.violations)
        pytest.fail(f"the bot made {len(server.violations)} invalid Bot API call(s):\n{lines}")


def ptb_application(server: LocalBotApiServer) -> Application:  # type: ignore[type-arg]
    """A python-telegram-bot Application talking to this server, its file downloads included."""
    return (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.file_base_url)
        .build()
    )


@pytest.fixture
async def local_bot_api() -> AsyncIterator[LocalBotApiServer]:
    """A started LocalBotApiServer; the test fails if any call violated the spec."""
    async with LocalBotApiServer() as server:
        yield server
        assert_no_violations(server)
