"""A resident flooding the bot is told once and dropped; other residents are still answered."""

from __future__ import annotations

from bot.telegram.flood import BURST, GROUP, NOTICE, FloodGuard, FloodHandler
from tests.bot.conftest import BotApp, Player, response_status


def test_the_guard_refills_at_its_rate_and_tells_once_per_flood() -> None:
    now = [0.0]
    guard = FloodGuard(burst=3, per_second=1.0, clock=lambda: now[0])
    assert [guard.allow(1) for _ in range(5)] == [True, True, True, False, False]
    assert guard.first_refusal(1) and not guard.first_refusal(1)
    assert guard.allow(2)  # somebody else is not affected
    now[0] = 1.0
    assert guard.allow(1) and not guard.allow(1)
    now[0] = 10.0  # calm again: a new flood is told again
    assert guard.allow(1)
    assert guard.first_refusal(1)


async def test_a_flood_is_dropped_politely_while_another_resident_completes(
    bot_app: BotApp,
) -> None:
    handler = bot_app.application.handlers[GROUP][0]
    assert isinstance(handler, FloodHandler)
    handler.guard.clock = lambda: 0.0  # time stands still: no refill during the test
    flooder = bot_app.server.user(9101)
    calm = Player(bot_app, 9102)
    flooder.send_command("/start")
    for index in range(3 * BURST):
        flooder.send_text(f"spam {index}")
    await calm.onboard()
    assert "1/4" in calm.last
    for label in ("住みやすい", "当分は住み続けたい", "海と山", "次へ", "満足"):
        flooder.tap(lambda text, data: True)  # taps mid-flood are answered, not left spinning
        await calm.tap(label)
    await calm.say("駅前のベンチを増やしてください")
    await calm.tap("送信する")
    assert "ありがとうございました" in calm.last
    assert await response_status(bot_app.services, 9102, bot_app.wave_id) == "complete"
    replies = flooder.bot_messages
    notices = [m for m in replies if m.text == NOTICE["ja"]]
    assert len(notices) == 1
    # /start's welcome (two messages at most), one reply per further allowed update, the notice
    assert len(replies) <= BURST + 2
    assert bot_app.server.unanswered_callbacks() == []
