"""Residents play the whole survey on LINE, through the platform stand-in."""

from __future__ import annotations

from bot.app.conversation.resident import line_pseudonym
from tests.line.conftest import SECRET, LineBot


async def test_a_follow_shows_the_welcome_and_the_language_choice(line: LineBot) -> None:
    user = line.user()
    assert await user.follow() == 200
    assert "日本語" in user.buttons
    print([m.body for m in user.messages])
