"""SIGKILL mid-wave, twice: every resident finishes without doing anything extra, every answer
is stored once, nothing is sent twice."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.demo.botapi import LocalBotApiServer
from tests.bot.demo.botapi.fixtures import assert_no_violations
from tests.reliability.driver import (
    INVITATION,
    REMINDER,
    answered_rounds,
    count_texts,
    finished,
    kill_mid_round,
    shown_twice_in_a_row,
    wait_for_answers,
)
from tests.reliability.invariants import invariant_breaches
from tests.reliability.processes import BotProcess, real_services, seed_residents_and_wave

RESIDENTS = 50


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_sigkill_twice_mid_wave_and_every_resident_finishes_doing_nothing_extra(
    migrated_database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(16)
    services = real_services(migrated_database_url, tmp_path)
    user_ids = list(range(50_001, 50_001 + RESIDENTS))
    wave_id = await seed_residents_and_wave(
        services, user_ids, reminder_after=timedelta(seconds=25)
    )
    async with LocalBotApiServer() as server:
        residents = [server.user(user_id) for user_id in user_ids]
        bot = await BotProcess(
            server, migrated_database_url, tmp_path, tmp_path / "a.log", verbose=True
        ).start()
        try:
            for name, rounds_before in (("b", 2), ("c", 2)):
                await answered_rounds(server, residents, rounds_before)
                looked_at = await kill_mid_round(bot, server, residents, rng)
                bot = BotProcess(
                    server, migrated_database_url, tmp_path, tmp_path / f"{name}.log", verbose=True
                )
                await bot.start()
                await wait_for_answers(residents, looked_at, 90)
            await answered_rounds(server, residents, 20)
            assert all(finished(r) for r in residents), [
                r.describe(3) for r in residents if not finished(r)
            ][:2]
        finally:
            code = await bot.stop()
        assert code == 0, bot.log()[-2000:]
        reminders: Counter[int] = Counter()
        for resident in residents:
            assert count_texts(resident, INVITATION) <= 1
            reminders[count_texts(resident, REMINDER)] += 1
        assert set(reminders) <= {0, 1}, reminders
        doubled = [r.describe(8) for r in residents if shown_twice_in_a_row(r)]
        assert doubled == [], f"{len(doubled)} residents saw a question twice: {doubled[:2]}"
        async with services.uow() as uow:
            assert await uow.responses.count(wave_id, "complete") == RESIDENTS
        assert await invariant_breaches(services) == []
        assert "Traceback" not in bot.log()
        assert_no_violations(server)
    await services.close()
