"""A resident talking to the conversation core directly: no Bot API, no HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.app.conversation import onboarding, taps, typed
from bot.app.conversation.context import Conversation
from bot.app.conversation.onboarding import Command
from bot.app.conversation.resident import Channel, Resident
from bot.app.conversation.screens import Button, Placement, Reply, Screen
from bot.app.services import Services
from tests.bot.backends import backend as backend  # SQLite unless a test asks for both
from tests.bot.conftest import AGREE, PROFILE_LABELS, seed_open_wave


@dataclass
class Core:
    """The conversation over a test database with one open wave."""

    conversation: Conversation
    wave_id: int

    @property
    def services(self) -> Services:
        return self.conversation.services


@pytest.fixture
async def core(bot_services: Services) -> AsyncIterator[Core]:
    """The conversation core and the wave it offers."""
    yield Core(Conversation(bot_services), await seed_open_wave(bot_services))


class Talk:
    """One resident: keeps the screens shown so far, the latest last, as a chat would."""

    def __init__(self, core: Core, user_id: int, language: str = "ja") -> None:
        self.core = core
        self.resident = Resident(Channel.TELEGRAM, user_id, language)
        self.shown: list[Screen] = []
        self.reply = Reply()

    def _show(self, reply: Reply, tapped: Screen | None = None) -> Reply:
        self.reply = reply
        if reply.placement is Placement.KEYBOARD and tapped is not None and reply.screens:
            self.shown[self.shown.index(tapped)] = Screen(tapped.text, reply.screens[0].rows)
        elif reply.placement is Placement.IN_PLACE and tapped is self.last_screen:
            self.shown[-1:] = list(reply.screens)
        else:
            self.shown += reply.screens
        return reply

    async def start(self, *args: str) -> Reply:
        """/start."""
        return self._show(await onboarding.start(self.core.conversation, self.resident, args))

    async def command(self, which: Command) -> Reply:
        """A resident command."""
        return self._show(await taps.command(self.core.conversation, self.resident, which))

    async def say(self, text: str) -> Reply:
        """Type a message."""
        return self._show(await typed.text(self.core.conversation, self.resident, text))

    async def tap(self, label: str, on: Screen | None = None) -> Reply:
        """Tap the button labelled `label` (ticked or not) on a screen, the latest by default."""
        screen, button = self.button(label, on)
        reply = await taps.tap(self.core.conversation, self.resident, button.data)
        return self._show(reply, screen)

    def button(self, label: str, on: Screen | None = None) -> tuple[Screen, Button]:
        """The latest button with this label (or containing it)."""
        for screen in [on] if on is not None else reversed(self.shown):
            buttons = [b for row in screen.rows for b in row]
            exact = [b for b in buttons if b.label.removeprefix("✓ ") == label]
            found = exact or [b for b in buttons if label in b.label]
            if found:
                return screen, found[0]
        raise LookupError(label)

    @property
    def last_screen(self) -> Screen | None:
        return self.shown[-1] if self.shown else None

    @property
    def last(self) -> str:
        """The text of the latest screen."""
        return self.shown[-1].text if self.shown else ""

    @property
    def buttons(self) -> list[str]:
        """The labels of the latest screen's buttons."""
        screen = self.last_screen
        return [b.label for row in screen.rows for b in row] if screen is not None else []

    async def onboard(self) -> None:
        """/start, 日本語, agree, and the profile."""
        await self.start()
        await self.tap("日本語")
        await self.tap(AGREE["日本語"])
        for label in PROFILE_LABELS["日本語"]:
            await self.tap(label)
