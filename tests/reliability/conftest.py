"""Reliability tests reuse the bot harness of tests/bot (the `bot_app` fixture and friends)."""

from tests.bot.backends import backend
from tests.bot.conftest import bot_app, bot_services

__all__ = ["backend", "bot_app", "bot_services"]
