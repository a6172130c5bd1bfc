"""A local stand-in for the LINE platform: signs and sends webhook events, receives replies
and pushes, and checks them against the Messaging API's documented limits (demo and tests)."""

from bot.demo.line_platform.platform import LinePlatform, LineUser, SentMessage

__all__ = ["LinePlatform", "LineUser", "SentMessage"]
