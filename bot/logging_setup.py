"""Logging that never leaks chat ids, long numbers or bot tokens (unless configured to)."""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.config import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED_NUMBER = "[number]"
REDACTED_TOKEN = "[token]"

# A bot token is "<bot id>:<35 url-safe characters>"; it appears in every Bot API URL.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
# Telegram user and chat ids have 6 digits or more (group chats: -100…); so do phone numbers.
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z_])-?\d{6,}(?![0-9])")


def redact(text: str) -> str:
    """The text with bot tokens and every run of six or more digits replaced."""
    return _LONG_NUMBER.sub(REDACTED_NUMBER, _TOKEN.sub(REDACTED_TOKEN, text))


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (arguments merged in) with chat ids and tokens removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message and any exception text; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose output is redacted (for handlers other code adds later)."""

    def format(self, record: logging.LogRecord) -> str:
        """Format, then redact the whole line."""
        return redact(super().format(record))


def _redacting(handler: logging.Handler) -> bool:
    return any(isinstance(f, RedactingFilter) for f in handler.filters)


def install_redaction(settings: Settings, logger: logging.Logger | None = None) -> bool:
    """Add the filter to every handler of the logger (root by default); False if disabled."""
    target = logger or logging.getLogger()
    if settings.log_chat_ids:
        for handler in target.handlers:
            for found in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
                handler.removeFilter(found)
        return False
    for handler in target.handlers:
        if not _redacting(handler):
            handler.addFilter(RedactingFilter())
    return True


def configure_logging(settings: Settings, *, verbose: bool = False, **options: Any) -> None:
    """Basic logging for the CLI and the bot (INFO if verbose, else WARNING), redacted."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format=LOG_FORMAT, **options
    )
    install_redaction(settings)
