"""Telegram handlers: one module per area; app.py adds them in the order of HANDLER_MODULES."""

from __future__ import annotations

from types import ModuleType

from bot.handlers import console, fallback, help, maintenance, mydata, resident, review, staff

# The order matters: the first handler that matches an update takes it, so the specific
# handlers come before the resident's catch-alls, and the fallback and maintenance come last.
HANDLER_MODULES: tuple[ModuleType, ...] = (
    help,
    mydata,
    resident,
    staff,
    console,
    review,
    fallback,
    maintenance,
)
