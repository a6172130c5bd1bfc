"""SIGKILL mid-wave: nothing confirmed is lost, everyone finishes, nothing is sent twice."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.localapi import LocalBotApiServer
from bot.localapi.chats import ChatMessage
from bot.localapi.resident import Resident
from surveys.engine import relevant_questions
from tests.bot.conftest import stored_answers
from tests.botapi.fixtures import assert_no_violations
from tests.reliability.driver import (
    INVITATION,
    REMINDER,
    current_question,
    finished,
    play_rounds,
    step,
)
from tests.reliability.invariants import SURVEY, decoded, invariant_breaches
from tests.reliability.processes import BotProcess, real_services, seed_residents_and_wave

RESIDENTS = 50


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


def newer_than(message_id: int) -> Callable[[ChatMessage], bool]:
    """A predicate: the bot's message came after `message_id`."""
    return lambda message: message.message_id > message_id


def relevant(answers: dict[str, str | None]) -> list[str]:
    """The relevant questions given the stored answers, then the review."""
    return [q.id for q in relevant_questions(SURVEY, decoded(answers), {})] + ["review"]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_sigkill_mid_wave_loses_no_confirmed_answer_and_sends_nothing_twice(
    migrated_database_url: str, tmp_path: Path
) -> None:
    services = real_services(migrated_database_url, tmp_path)
    user_ids = list(range(50_001, 50_001 + RESIDENTS))
    wave_id = await seed_residents_and_wave(
        services, user_ids, reminder_after=timedelta(seconds=25)
    )
    async with LocalBotApiServer() as server:
        residents = [server.user(user_id) for user_id in user_ids]
        first = await BotProcess(
            server, migrated_database_url, tmp_path, tmp_path / "a.log"
        ).start()
        try:
            await wait_until(
                lambda: all(count_texts(r, INVITATION) == 1 for r in residents), 60, "invitations"
            )
            await play_rounds(server, residents, rounds=3)
            await wait_until(
                lambda: any(count_texts(r, REMINDER) for r in residents), 60, "a reminder"
            )
            for resident in residents:  # one more step each, killed while it is being handled
                step(resident)
            calls = len(server.calls)
            await wait_until(lambda: len(server.calls) >= calls + 10, 10, "the first replies")
            first.kill()
            await first.process.wait()  # type: ignore[union-attr]
        finally:
            if first.process and first.process.returncode is None:
                first.kill()
        shown = {r.id: current_question(r) for r in residents}
        for resident in residents:
            stored = await stored_answers(services, resident.id, wave_id)
            question = shown[resident.id]
            assert question is not None, resident.describe(5)
            order = relevant(stored)
            assert question in order
            missing = set(order[: order.index(question)]) - set(stored)
            assert not missing, f"answers confirmed before the kill are lost: {missing}"

        second = await BotProcess(
            server, migrated_database_url, tmp_path, tmp_path / "b.log"
        ).start()
        try:
            starts = {r.id: r.send_command("/start").payload["message_id"] for r in residents}
            await server.settle(quiet=0.5, timeout=60)
            for resident in residents:
                after = starts[resident.id]
                await resident.wait_for(newer_than(after), 20)
                now = current_question(resident, after)
                order = relevant(await stored_answers(services, resident.id, wave_id))
                before = shown[resident.id]
                assert before is not None and now is not None
                assert now in order[order.index(before) : order.index(before) + 2], (
                    f"resident {resident.id} was at {before}, continues at {now}"
                )
            await play_rounds(server, residents, rounds=20)
            assert all(finished(r) for r in residents), [
                r.describe(3) for r in residents if not finished(r)
            ][:2]
        finally:
            code = await second.stop()
        assert code == 0, second.log()[-2000:]
        per_chat: Counter[int] = Counter()
        for resident in residents:
            assert count_texts(resident, INVITATION) == 1
            per_chat[count_texts(resident, REMINDER)] += 1
        assert set(per_chat) <= {0, 1}, per_chat
        async with services.uow() as uow:
            assert await uow.responses.count(wave_id, "complete") == RESIDENTS
        assert await invariant_breaches(services) == []
        assert "Traceback" not in second.log()
        assert_no_violations(server)
    await services.close()
