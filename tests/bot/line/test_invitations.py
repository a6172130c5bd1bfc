"""Invitations reach LINE residents by push (counted, paced, in the sending hours)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from bot.app.invitations import InvitationSender, Pacer, SendTally
from bot.line.push import LinePusher
from surveys.modes import Channel
from tests.bot.line.conftest import LineBot
from tests.bot.line.test_survey import onboard


async def telegram_resident(line: LineBot, user_id: int) -> None:
    """A consenting Telegram resident with a contact (for the channel filter)."""
    now = line.services.now()
    async with line.services.uow() as uow:
        await uow.begin_write()
        respondent = await uow.respondents.get_or_create(line.services.respondent_key(user_id), now)
        await uow.respondents.set_consent(respondent.id, "given", now)
        await uow.contacts.upsert(respondent.id, user_id, now)
        await uow.commit()


async def invite(line: LineBot, channels: list[str] | None) -> int:
    """Invite the wave's audience (on these channels); how many invitations were made."""
    audience = {"channel": channels} if channels else {}
    async with line.services.uow() as uow:
        await uow.begin_write()
        created = await uow.invitations.invite_audience(line.wave_id, audience, line.services.now())
        await uow.commit()
    return created


@asynccontextmanager
async def pusher(line: LineBot) -> AsyncIterator[LinePusher]:
    """The LINE delivery a process with LINE configured sends through."""
    push = LinePusher(line.services.settings)
    try:
        yield push
    finally:
        await push.close()


async def send(line: LineBot) -> SendTally:
    """One sending run of the wave, LINE being the only channel (a LINE-only process)."""
    async with pusher(line) as push:
        sender = InvitationSender({Channel.LINE: push}, line.services, Pacer())
        return await sender.run(line.wave_id)


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
