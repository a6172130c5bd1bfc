"""The Telegram adapter's tests: the `bot_app` fixture (tests/bot/conftest.py) on SQLite."""

from __future__ import annotations

from tests.bot.backends import backend as backend  # SQLite unless a test asks for both
