"""Property tests: random, hostile and repeated updates never crash, stall or corrupt the bot."""

from __future__ import annotations

import itertools
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.texts import t
from bot.demo.botapi.resident import Resident
from bot.demo.botapi.updates import PendingUpdate
from bot.telegram.flood import GROUP, FloodGuard, FloodHandler
from tests.bot.conftest import BotApp, Player, response_status
from tests.reliability.driver import step
from tests.reliability.invariants import invariant_breaches

_user_ids = itertools.count(30_000)

HOSTILE_TEXTS = (
    "<b>太字</b><script>alert('x')</script> & <i>",
    "'; DROP TABLE answers; -- ",
    "Robert'); DELETE FROM responses WHERE 1=1; --",
    "\u202e右から左\u200f مرحبا \u200fテキスト",
    "🌸👨‍👩‍👧‍👦🇯🇵🙇‍♀️",
    "あ" * 5000,
    "<" * 4096,
    "{{7*7}} ${jndi:ldap://x} %s %n",
    "1",
)
COMMANDS = ("/start", "/help", "/language", "/profile", "/mydata", "/stop", "/delete", "/waves")
ACTIONS = (
    "tap_latest",
    "tap_latest",
    "tap_latest",
    "tap_any",
    "text",
    "command",
    "sticker",
    "photo",
    "edit",
    "redeliver",
    "reversed_pair",
)
texts = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(min_size=1, max_size=40).filter(lambda value: value.strip() != ""),
)


def buttons_of(resident: Resident, latest_only: bool) -> list[tuple[int, str]]:
    """(message id, callback data) of the bot's buttons, on the latest message or on all."""
    messages = resident.bot_messages[-1:] if latest_only else resident.bot_messages
    return [
        (message.message_id, data)
        for message in messages
        for row in message.buttons
        for _, data in row
        if data is not None and not data.startswith("http")
    ]


def act(
    data: st.DataObject, resident: Resident, sent: list[PendingUpdate], action: str
) -> list[PendingUpdate]:
    """Do one action (without waiting for the bot); returns the updates it created."""
    server = resident.server
    if action in ("tap_latest", "tap_any"):
        buttons = buttons_of(resident, latest_only=action == "tap_latest")
        if not buttons:
            return [resident.send_command("/start")]
        message_id, callback = data.draw(st.sampled_from(buttons))
        return [resident.tap_data(message_id, callback)]
    if action == "text":
        return [resident.send_text(data.draw(texts))]
    if action == "command":
        return [resident.send_command(data.draw(st.sampled_from(COMMANDS)))]
    if action == "sticker":
        return [resident.send_sticker()]
    if action == "photo":
        return [resident.send_photo(caption=data.draw(st.none() | texts))]
    if action == "edit":
        try:
            return [resident.edit_last_text(data.draw(texts))]
        except LookupError:
            return [resident.send_text(data.draw(texts))]
    if action == "redeliver" and sent:
        return [server.redeliver(data.draw(st.sampled_from(sent)))]
    if action == "reversed_pair":
        first = act(data, resident, sent, "tap_any")
        second = act(data, resident, sent, "text")
        server.reverse_last(2)
        return first + second
    return [resident.send_command("/start")]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_update_sequences_keep_the_bot_alive_and_the_data_consistent(
    bot_app: BotApp, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    flood = bot_app.application.handlers[GROUP][0]
    assert isinstance(flood, FloodHandler)
    flood.guard = FloodGuard(burst=10_000)  # floods have their own test; here every update counts
    caplog.clear()
    caplog.set_level(logging.ERROR)
    residents = []
    for _ in range(data.draw(st.integers(1, 3), label="residents")):
        player = Player(bot_app, next(_user_ids))
        if data.draw(st.booleans(), label="onboarded first"):
            await player.onboard()
        residents.append(player.resident)
    sent: dict[int, list[PendingUpdate]] = {resident.id: [] for resident in residents}
    rounds = data.draw(st.integers(1, 8), label="rounds")
    for _ in range(rounds):
        for resident in residents:
            action = data.draw(st.sampled_from(ACTIONS))
            sent[resident.id] += act(data, resident, sent[resident.id], action)
        await bot_app.settle()  # raises if the bot stalls
    assert bot_app.server.violations == []
    assert bot_app.server.unanswered_callbacks() == []
    sorry = t("ja", "error")
    for resident in residents:
        assert not any(sorry in message.text for message in resident.bot_messages), (
            resident.describe(8)
        )
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await invariant_breaches(bot_app.services) == []
    for resident in residents:  # after all that, a cooperative resident still finishes
        for _ in range(30):
            if await response_status(bot_app.services, resident.id, bot_app.wave_id) == "complete":
                break
            step(resident)
            await bot_app.settle()
        else:
            raise AssertionError(f"resident {resident.id} cannot finish: {resident.describe(4)}")
    assert bot_app.server.violations == []
    assert await invariant_breaches(bot_app.services) == []
