"""LINE's failure answers to a push, over real HTTP from the stand-in, reach the sender as
bot.app.delivery's neutral errors; a push to a user who blocked the account is no error (LINE
answers 200); a LINE invitation whose first push gets 429 is retried and sent exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.delivery import DeliveryError, OutOfQuota, Rejected, RetryLater, Unreachable
from bot.demo.line_platform import LinePlatform
from bot.demo.line_platform.faults import MONTHLY_LIMIT, NOT_AVAILABLE
from bot.line.push import LinePusher
from tests.bot.line.conftest import INVITATION, LineBot, invite, onboard, send, settings_for


async def push_once(platform: LinePlatform, tmp_path: Path, key: int = 51) -> None:
    """One push of the invitation through a fresh LinePusher."""
    pusher = LinePusher(settings_for(platform, tmp_path))
    try:
        await pusher.deliver(platform.user("U" + "a" * 32).user_id, INVITATION, key=key)
    finally:
        await pusher.close()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, RetryLater),
        (403, Rejected),
        (400, Rejected),
        (413, Rejected),
        (500, Unreachable),
        (502, Unreachable),
        (503, Unreachable),
    ],
)
async def test_each_status_reaches_the_sender_as_its_neutral_error(
    platform: LinePlatform, tmp_path: Path, status: int, expected: type[DeliveryError]
) -> None:
    platform.faults.fail_next("push", status)
    with pytest.raises(DeliveryError) as caught:
        await push_once(platform, tmp_path)
    assert type(caught.value) is expected
    assert platform.pushes == 0 and platform.users["U" + "a" * 32].messages == []


async def test_403_is_the_channel_s_plan_not_a_block(
    platform: LinePlatform, tmp_path: Path
) -> None:
    platform.faults.fail_next("push", 403)
    with pytest.raises(Rejected) as caught:
        await push_once(platform, tmp_path)
    assert caught.value.reason == f"LINE 403: {NOT_AVAILABLE}"


async def test_a_monthly_limit_429_says_the_quota_is_used_up(
    platform: LinePlatform, tmp_path: Path
) -> None:
    platform.faults.fail_next("push", 429, {"message": MONTHLY_LIMIT})
    with pytest.raises(OutOfQuota) as caught:
        await push_once(platform, tmp_path)
    assert caught.value.reason == f"LINE 429: {MONTHLY_LIMIT}"


async def test_rate_limit_waits_double_per_invitation_and_start_over_after_a_send(
    platform: LinePlatform, tmp_path: Path
) -> None:
    user = platform.user()
    pusher = LinePusher(settings_for(platform, tmp_path))
    waits = []
    try:
        platform.faults.fail_next("push", 429, times=3)
        for _ in range(3):
            with pytest.raises(RetryLater) as caught:
                await pusher.deliver(user.user_id, INVITATION, key=52)
            waits.append(caught.value.seconds)
        await pusher.deliver(user.user_id, INVITATION, key=52)
        platform.faults.fail_next("push", 429)
        with pytest.raises(RetryLater) as caught:
            await pusher.deliver(user.user_id, INVITATION, key=53)
        waits.append(caught.value.seconds)
    finally:
        await pusher.close()
    assert waits == [1.0, 2.0, 4.0, 1.0]
    assert platform.pushes == 1 and len(user.messages) == 1


async def test_a_retry_after_header_is_honoured_if_line_sends_one(
    platform: LinePlatform, tmp_path: Path
) -> None:
    platform.faults.fail_next("push", 429, headers={"Retry-After": "7"})
    with pytest.raises(RetryLater) as caught:
        await push_once(platform, tmp_path)
    assert caught.value.seconds == 7.0


async def test_a_5xx_whose_push_arrived_is_resent_safely_once(
    platform: LinePlatform, tmp_path: Path
) -> None:
    user = platform.user()
    platform.faults.fail_next("push", 500, delivered=True)
    pusher = LinePusher(settings_for(platform, tmp_path))
    try:
        with pytest.raises(Unreachable) as caught:
            await pusher.deliver(user.user_id, INVITATION, key=54)
        await pusher.deliver(user.user_id, INVITATION, key=54)  # 409: the first one arrived
    finally:
        await pusher.close()
    assert "LINE 500" in str(caught.value)
    assert platform.pushes == 1 and len(user.messages) == 1


async def test_a_push_to_a_user_who_blocked_the_account_is_no_error(
    platform: LinePlatform, tmp_path: Path
) -> None:
    user = platform.user("U" + "a" * 32)
    user.blocked = True  # LINE answers 200 and shows nothing; the unfollow event tells us
    await push_once(platform, tmp_path)
    assert platform.pushes == 1 and user.messages == []


async def test_an_invitation_whose_first_push_gets_429_is_sent_exactly_once(
    line: LineBot,
) -> None:
    sachiko = line.user()
    await onboard(sachiko)
    assert await invite(line, ["line"]) == 1
    shown = len(sachiko.messages)
    line.platform.faults.fail_next("push", 429)
    tally = await send(line)
    assert tally.sent == 1 and tally.retried == 1 and tally.failed == tally.blocked == 0
    assert line.platform.pushes == 1
    assert [message.how for message in sachiko.messages[shown:]] == ["push"]
    assert (await send(line)).sent == 0 and line.platform.pushes == 1  # never twice
