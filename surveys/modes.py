"""How a response was collected, as storage, reports and the importer name it."""

from __future__ import annotations

from enum import StrEnum


class ResponseMode(StrEnum):
    """A response's collection mode (stored in `responses.mode`)."""

    CHAT = "chat"
    """A resident in the Telegram bot."""
    MAIL = "mail"
    """A mailed paper form, imported."""
    WEB = "web"
    """The city's web form, imported."""
    LINE = "line"
    """A resident in the LINE channel."""


IMPORTED_MODES: tuple[ResponseMode, ...] = (ResponseMode.MAIL, ResponseMode.WEB)
"""The modes `machikoe import responses` brings in from elsewhere."""
