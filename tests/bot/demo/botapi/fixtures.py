"""Pytest fixtures for a local Bot API server that fails the test on any spec violation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.demo.botapi import LocalBotApiServer


def assert_no_violations(server: LocalBotApiServer) -> None:
    """Fail with a readable list if the bot broke the Bot API spec or Telegram's limits."""
    if server.violations:
        lines = "\n".join(f"  {v.method}: {v.kind}: {v.detail}" for v in server.violations)
        pytest.fail(f"the bot made {len(server.violations)} invalid Bot API call(s):\n{lines}")


@pytest.fixture
async def local_bot_api() -> AsyncIterator[LocalBotApiServer]:
    """A started LocalBotApiServer; the test fails if any call violated the spec."""
    async with LocalBotApiServer() as server:
        yield server
        assert_no_violations(server)
