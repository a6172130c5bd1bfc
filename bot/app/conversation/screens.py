"""What a use case asks a channel to show: plain data, rendered by each adapter."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Placement(StrEnum):
    """Where a reply's screens go, for a tap (a typed message's screens are always new)."""

    NEW = "new"  # new messages, below the tapped one
    IN_PLACE = "in_place"  # the first screen replaces the tapped message when it is the latest
    KEYBOARD = "keyboard"  # only the tapped message's buttons change (to the first screen's rows)


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
    placement: Placement = Placement.NEW
    close: bool = False  # the tapped message loses its buttons (becoming `answered` if given)
    once: bool = False  # send the screens only if closing the tapped message changed it
    appended: str | None = None  # a line added below the tapped message's text (as it closes)

    @property
    def closes(self) -> bool:
        """Whether the tapped message is to lose its buttons before the screens are sent."""
        return self.close or self.answered is not None or self.appended is not None


def screen(text: str, *rows: tuple[Button, ...]) -> Screen:
    """A screen from its text and rows."""
    return Screen(text, tuple(rows))
