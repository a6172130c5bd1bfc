"""A local Telegram Bot API server for tests, benchmarks and the demo (loopback only)."""

from bot.localapi.chats import ChatMessage, Tap
from bot.localapi.checker import SpecChecker, SpecViolation, Violation
from bot.localapi.errors import ApiError
from bot.localapi.resident import Resident
from bot.localapi.server import LocalBotApiServer

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
