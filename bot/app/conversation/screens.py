"""What a use case asks a channel to show: plain data, rendered by each adapter."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """One choice; `data` is callback data in the scheme of bot.app.callbacks (≤ 64 bytes)."""

    label: str
    data: str


@dataclass(frozen=True)
class Screen:
    """One message: text in an HTML subset (<b>, <i>; values escaped) and rows of buttons."""

    text: str
    rows: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Reply:
    """The outcome of one resident input."""

    screens: tuple[Screen, ...] = ()  # messages to send, in order
    answered: str | None = None  # replaces the tapped message (Telegram edits it)
    toast: str | None = None  # short notice for the tap (callback answer)
    stale: bool = False  # the tap was on an old message: nothing changed


def screen(text: str, *rows: tuple[Button, ...]) -> Screen:
    """A screen from its text and rows."""
    return Screen(text, tuple(rows))
