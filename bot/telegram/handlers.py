"""The Telegram handler modules, one per area, in the order the application adds them."""

from __future__ import annotations

from types import ModuleType

from bot.telegram import (
    console_command,
    fallback,
    help,
    resident,
    review,
    staff,
)

# The order matters: the first handler that matches an update takes it, so the specific
# handlers come before the resident's catch-alls, and the fallback comes last.
HANDLER_MODULES: tuple[ModuleType, ...] = (
    help,
    resident,
    staff,
    console_command,
    review,
    fallback,
)
