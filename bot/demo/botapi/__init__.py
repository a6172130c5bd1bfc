"""A local Telegram Bot API server for tests, benchmarks and the demo (loopback only)."""

from bot.demo.botapi.chats import ChatMessage, Tap
from bot.demo.botapi.checker import SpecChecker, SpecViolation, Violation
from bot.demo.botapi.errors import ApiError
from bot.demo.botapi.resident import Resident
from bot.demo.botapi.server import LocalBotApiServer

__all__ = [
    "ApiError",
    "ChatMessage",
    "LocalBotApiServer",
    "Resident",
    "SpecChecker",
    "SpecViolation",
    "Tap",
    "Violation",
]
