"""Telegram handlers: every module defines ORDER and handlers(); app.py adds them in ORDER."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def handler_modules() -> list[ModuleType]:
    """The modules of this package that define handlers(), sorted by their ORDER."""
    modules = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "handlers", None)):
            modules.append(module)
    return sorted(modules, key=lambda module: (getattr(module, "ORDER", 50), module.__name__))
