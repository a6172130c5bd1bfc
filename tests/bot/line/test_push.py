"""LINE's Delivery (push) against the LINE platform stand-in: a screen arrives as a push with
its postback, a second copy of one invitation is refused by its retry key and counts as sent,
and failures reach the sender as bot.app.delivery's channel-neutral errors."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app.delivery import Rejected, Unreachable
from bot.config import Settings
from bot.demo.line_platform import LinePlatform
from bot.line.push import LinePusher
from tests.bot.line.conftest import INVITATION, settings_for


async def test_a_screen_is_pushed_once_per_invitation(
    platform: LinePlatform, tmp_path: Path
) -> None:
    user = platform.user()
    pusher = LinePusher(settings_for(platform, tmp_path))
    try:
        await pusher.deliver(user.user_id, INVITATION, key=41)
        await pusher.deliver(user.user_id, INVITATION, key=41)  # LINE answers 409: sent before
    finally:
        await pusher.close()
    assert platform.pushes == 1 and len(user.messages) == 1
    (message,) = user.messages
    assert message.how == "push" and "<b>" not in message.text
    assert [action["data"] for action in message.actions] == ["w:1"]


async def test_a_wrong_channel_token_is_rejected(platform: LinePlatform, tmp_path: Path) -> None:
    user = platform.user()
    settings = replace(settings_for(platform, tmp_path), line_channel_token="not-the-token")
    pusher = LinePusher(settings)
    try:
        with pytest.raises(Rejected) as caught:
            await pusher.deliver(user.user_id, INVITATION, key=42)
    finally:
        await pusher.close()
    assert "401" in caught.value.reason and platform.pushes == 0
    # the stand-in notes the wrong token (it is the bot's mistake); this test made it on purpose
    assert platform.violations == ["/v2/bot/message/push: wrong or missing channel access token"]
    platform.violations.clear()


async def test_a_platform_nobody_answers_at_is_unreachable(tmp_path: Path) -> None:
    closed = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = closed.sockets[0].getsockname()[1]
    closed.close()
    await closed.wait_closed()  # the port refuses connections now
    settings = Settings(
        data_dir=tmp_path,
        line_channel_secret="secret",
        line_channel_token="token",
        line_api_url=f"http://127.0.0.1:{port}",
    )
    pusher = LinePusher(settings)
    try:
        with pytest.raises(Unreachable):
            await pusher.deliver("U0", INVITATION, key=43)
    finally:
        await pusher.close()
