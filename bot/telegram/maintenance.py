"""The maintenance timers run on the process's channel-neutral scheduler (bot/app/maintenance.py);
Telegram has no chat handler for them."""

from __future__ import annotations

from telegram.ext import BaseHandler


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """No chat handlers."""
    return []
