"""Invitations reach LINE residents by push (counted, paced, in the sending hours)."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.line.conftest import LineBot, invite, onboard, send, telegram_resident


async def test_a_line_resident_is_invited_by_push_and_the_button_opens_the_survey(
    line: LineBot,
) -> None:
    sachiko = line.user()
    await onboard(sachiko)
    await telegram_resident(line, 9001)
    assert await invite(line, ["line"]) == 1  # the Telegram resident is not in this audience
    tally = await send(line)
    assert tally.sent == 1 and line.platform.pushes == 1
    invitation = sachiko.messages[-1]
    assert invitation.how == "push" and invitation.actions
    await sachiko.postback(str(invitation.actions[0]["data"]))
    assert "1/4〜5" in sachiko.last
    assert (await send(line)).sent == 0  # never twice
    assert line.platform.pushes == 1


async def test_no_push_outside_the_sending_hours(line: LineBot) -> None:
    yui = line.user()
    await onboard(yui)
    assert await invite(line, None) == 1
    clock = line.services.clock
    clock.advance(timedelta(hours=12))  # type: ignore[attr-defined]  # 21:00 in Tokyo
    shown = len(yui.messages)
    tally = await send(line)
    assert tally.sent == 0 and line.platform.pushes == 0 and len(yui.messages) == shown
    clock.advance(timedelta(hours=12))  # type: ignore[attr-defined]  # 09:00 the next day
    tally = await send(line)
    assert tally.sent == 1 and yui.messages[-1].how == "push"
