"""A cooperative resident for out-of-process bots: one sensible step from the latest message;
rounds of such steps, a bot killed mid-round, and what the chats showed."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable

from bot.app.texts import t
from bot.demo.botapi import LocalBotApiServer
from bot.demo.botapi.chats import ChatMessage
from bot.demo.botapi.resident import Resident
from tests.reliability.processes import BotProcess

INVITATION = "まちの声アンケートのお願い"
REMINDER = "締切が近づいています"
LANGUAGES = ("ja", "en", "ja-easy")
THANKS = tuple(t(language, "thanks") for language in LANGUAGES)
TYPING = ("入力", "type your answer", "describe", "かいて")
FLOW_KINDS = ("A", "T", "N", "X")


def _data(message: ChatMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


def current_question(resident: Resident, after: int = 0) -> str | None:
    """The question id on the latest survey screen after message `after` ("review" on the
    review), None if there is none."""
    for message in reversed(resident.bot_messages):
        if message.message_id <= after:
            break
        for data in _data(message):
            kind, _, rest = data.partition(":")
            if kind == "X":
                return "review"
            if kind in ("A", "T", "N"):
                return rest.split(":")[1]
    return None


def finished(resident: Resident) -> bool:
    """The bot thanked the resident for a submitted response."""
    return any(message.text in THANKS for message in resident.bot_messages)


def step(resident: Resident) -> None:
    """Do what a cooperative resident does next; nothing when finished."""
    if finished(resident):
        return
    latest = resident.last_bot_message
    if latest is None:
        resident.send_command("/start")
        return
    data = _data(latest)
    for wanted in ("X:", "L:ja", "C:y", "D:n", "W:", "P:"):
        chosen = next((d for d in data if d.startswith(wanted)), None)
        if chosen is not None:
            resident.tap_data(latest, chosen)
            return
    answers = [d for d in data if d.startswith("A:") and not d.endswith(":-")]
    if answers:
        resident.tap_data(latest, answers[0])
        return
    ready = [d for d in data if d.startswith("N:") and not d.endswith(":0")]
    toggles = [d for d in data if d.startswith("T:")]
    if ready:
        resident.tap_data(latest, ready[0])
    elif toggles:
        resident.tap_data(latest, toggles[0])
    elif any(fragment in latest.text for fragment in TYPING):
        resident.send_text("駅前に ベンチを 増やしてください")
    else:
        resident.send_command("/start")


async def play_rounds(
    server: LocalBotApiServer, residents: list[Resident], rounds: int, quiet: float = 0.3
) -> None:
    """Every unfinished resident takes one step per round; each round waits for the bot."""
    for _ in range(rounds):
        active = [r for r in residents if not finished(r)]
        if not active:
            return
        versions = {r.id: r.chat.version for r in active}
        for resident in active:
            step(resident)
        await server.settle(quiet=quiet, timeout=60)
        for resident in active:
            if resident.chat.version == versions[resident.id] + 1:
                await resident.chat.wait_changed(10)
        await asyncio.sleep(0)


def screen(resident: Resident) -> tuple[int, str, tuple[tuple[tuple[str, str], ...], ...]] | None:
    """What the resident looks at: the bot's latest message, its text and buttons."""
    latest = resident.last_bot_message
    if latest is None:
        return None
    return latest.message_id, latest.text, tuple(tuple(row) for row in latest.buttons)


def ready(resident: Resident) -> bool:
    """Whether the resident has something to do: a button, a question to type an answer to,
    or the thanks (a screen whose buttons are gone and nothing new below waits for the bot)."""
    latest = resident.last_bot_message
    if latest is None or finished(resident):
        return True
    return bool(_data(latest)) or any(fragment in latest.text for fragment in TYPING)


def step_everyone(residents: list[Resident]) -> dict[int, object]:
    """Every unfinished resident takes one step; what each looked at when they did."""
    looked_at: dict[int, object] = {}
    for resident in residents:
        if not finished(resident):
            looked_at[resident.id] = screen(resident)
            step(resident)
    return looked_at


async def wait_for_answers(
    residents: list[Resident], looked_at: dict[int, object], timeout: float
) -> None:
    """Wait until the bot answered each resident's step (their screen moved on); a resident
    never acts again without an answer, so one that gets none fails the test."""
    by_id = {resident.id: resident for resident in residents}
    for resident_id, before in looked_at.items():
        resident = by_id[resident_id]
        deadline = asyncio.get_running_loop().time() + timeout
        while screen(resident) == before or not ready(resident):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(
                    f"resident {resident_id} got no answer to their step: {resident.describe(4)}"
                )
            await resident.chat.wait_changed(min(left, 1.0))


def screens_shown(resident: Resident) -> list[str | None]:
    """Each bot message's survey screen (question id or review), None for any other message."""
    return [_screen_of(message) for message in resident.bot_messages]


def _screen_of(message: ChatMessage) -> str | None:
    """The survey screen a bot message shows through its buttons, if any."""
    for data in _data(message):
        kind, _, rest = data.partition(":")
        if kind in ("A", "T", "N", "X"):
            return "review" if kind == "X" else rest.split(":")[1]
    return None


def questions_shown(resident: Resident) -> list[str]:
    """The survey screen of each bot message in the chat, in order (question id or review)."""
    return [screen for screen in screens_shown(resident) if screen is not None]


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll a condition every 50 ms."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def count_texts(resident: Resident, fragment: str) -> int:
    """How many bot messages in the chat contain `fragment`."""
    return sum(fragment in message.text for message in resident.bot_messages)


async def kill_mid_round(
    bot: BotProcess, server: LocalBotApiServer, residents: list[Resident], rng: random.Random
) -> dict[int, object]:
    """Everyone takes a step, and the bot is killed at a random moment while handling them;
    what each resident looked at when they stepped."""
    calls = len(server.calls)
    looked_at = step_everyone(residents)
    replies = rng.randint(1, len(looked_at))
    await wait_until(lambda: len(server.calls) >= calls + replies, 20, "the first replies")
    bot.kill()
    await bot.process.wait()  # type: ignore[union-attr]
    return looked_at


async def answered_rounds(
    server: LocalBotApiServer, residents: list[Resident], rounds: int
) -> None:
    """Rounds of one step each, every step answered before the next."""
    for _ in range(rounds):
        looked_at = step_everyone(residents)
        await server.settle(quiet=0.3, timeout=60)
        await wait_for_answers(residents, looked_at, 30)


def shown_twice_in_a_row(resident: Resident) -> list[str]:
    """Questions the bot showed in two messages one right after the other.

    A question shown again after another message (a reminder's 続きから, whose button shows the
    current step) is the resident carrying on, not an update handled twice."""
    shown = screens_shown(resident)
    return [a for a, b in itertools.pairwise(shown) if a is not None and a == b]
