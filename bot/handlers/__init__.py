"""Telegram handlers: one module per area, added by bot/telegram/application.py in this order."""

from __future__ import annotations

from types import ModuleType

from bot.handlers import console, fallback, help, maintenance, review, staff
from bot.telegram import resident

# The order matters: the first handler that matches an update takes it, so the specific
# handlers come before the resident's catch-alls, and the fallback and maintenance come last.
HANDLER_MODULES: tuple[ModuleType, ...] = (
    help,
    resident,
    staff,
    console,
    review,
    fallback,
    maintenance,
)
