"""LINE's monthly message limit reached mid-wave: the LINE invitations wait (pending, not
failed), nothing more is pushed while the channel is held, and they go out once it is free."""

from __future__ import annotations

from datetime import timedelta

from bot.app.delivery import QUOTA_HOLD, ChannelHolds
from bot.app.invitations import InvitationSender, Pacer, SendTally
from bot.demo.line_platform.faults import MONTHLY_LIMIT
from surveys.modes import Channel
from surveys.schedule import InvitationState
from tests.bot.line.conftest import LineBot, invite, onboard, pusher
from tests.builders import Clock


async def send_held(line: LineBot, holds: ChannelHolds) -> SendTally:
    """One sending run of the wave sharing the process's channel holds."""
    async with pusher(line) as push:
        sender = InvitationSender({Channel.LINE: push}, line.services, Pacer(), holds=holds)
        return await sender.run(line.wave_id)


async def states(line: LineBot) -> dict[InvitationState, int]:
    """The wave's invitations by state."""
    async with line.services.uow() as uow:
        return await uow.invitations.progress(line.wave_id)


async def test_a_monthly_limit_holds_line_invitations_until_the_channel_is_free(
    line: LineBot,
) -> None:
    residents = [line.user() for _ in range(3)]
    for resident in residents:
        await onboard(resident)
    shown = [len(resident.messages) for resident in residents]
    assert await invite(line, ["line"]) == 3
    holds = ChannelHolds(line.services.now)
    faults = line.platform.faults
    faults.fail_next("push", 429, {"message": MONTHLY_LIMIT}, times=100)  # the quota is used up

    first = await send_held(line, holds)
    assert first.sent == first.failed == 0 and first.held >= 1
    assert holds.held() == {Channel.LINE}
    progress = await states(line)
    assert progress[InvitationState.PENDING] == 3 and progress[InvitationState.FAILED] == 0
    asked = 100 - faults.remaining("push")
    assert asked == first.held  # the pushes in flight when the quota ran out, no more

    again = await send_held(line, holds)  # still held: not one more request to LINE
    assert (again.sent, again.held) == (0, 0) and faults.remaining("push") == 100 - asked

    faults.clear("push")  # the quota renewed
    clock = line.services.clock
    assert isinstance(clock, Clock)
    clock.advance(QUOTA_HOLD + timedelta(minutes=1))
    later = await send_held(line, holds)
    assert later.sent == 3 and holds.held() == frozenset()
    assert [len(r.messages) - before for r, before in zip(residents, shown, strict=True)] == [
        1,
        1,
        1,
    ]
    assert (await states(line))[InvitationState.SENT] == 3
