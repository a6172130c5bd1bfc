"""Two webhook replicas behind one Bot API server, one PostgreSQL: every job and invitation once."""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.demo.botapi import LocalBotApiServer
from tests.bot.demo.botapi.fixtures import assert_no_violations
from tests.processes import free_port
from tests.reliability.driver import (
    INVITATION,
    REMINDER,
    answered_rounds,
    count_texts,
    finished,
    kill_mid_round,
    play_rounds,
    shown_twice_in_a_row,
    wait_for_answers,
    wait_until,
)
from tests.reliability.invariants import invariant_breaches
from tests.reliability.processes import (
    BotProcess,
    real_services,
    seed_residents_and_wave,
)

RESIDENTS = 30
WEBHOOK_SECRET = "replica-webhook-secret"


def webhook_replica(server: LocalBotApiServer, url: str, tmp_path: Path, name: str) -> BotProcess:
    """A `machikoe run` in webhook mode on a port of its own."""
    port = free_port()
    return BotProcess(
        server,
        url,
        tmp_path,
        tmp_path / f"{name}.log",
        "--webhook-url",
        f"http://127.0.0.1:{port}/telegram",
        "--webhook-port",
        str(port),
        "--secret-token",
        WEBHOOK_SECRET,
        verbose=True,
    )


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_webhook_replicas_share_postgres_and_do_everything_once(
    migrated_database_url: str, tmp_path: Path
) -> None:
    services = real_services(migrated_database_url, tmp_path)
    user_ids = list(range(60_001, 60_001 + RESIDENTS))
    wave_id = await seed_residents_and_wave(
        services, user_ids, reminder_after=timedelta(seconds=25)
    )
    async with LocalBotApiServer(webhook_replicas=True) as server:
        residents = [server.user(user_id) for user_id in user_ids]
        replicas = [webhook_replica(server, migrated_database_url, tmp_path, name) for name in "ab"]
        await asyncio.gather(*(replica.start() for replica in replicas))
        try:
            await wait_until(lambda: len(server.webhook_targets) == 2, 60, "both replicas")
            await wait_until(
                lambda: all(count_texts(r, INVITATION) for r in residents), 60, "invitations"
            )
            await play_rounds(server, residents, rounds=2)
            await wait_until(
                lambda: sum(count_texts(r, REMINDER) for r in residents) == RESIDENTS,
                60,
                "reminders to everyone unfinished",
            )
            await play_rounds(server, residents, rounds=20)
            assert all(finished(r) for r in residents), [
                r.describe(3) for r in residents if not finished(r)
            ][:2]
        finally:
            codes = [await replica.stop() for replica in replicas]
        logs = [replica.log() for replica in replicas]
        assert codes == [0, 0], [log[-1500:] for log in logs]
        for resident in residents:
            assert count_texts(resident, INVITATION) == 1
            assert count_texts(resident, REMINDER) == 1
        ran = Counter(re.findall(r"ran job (\d+): (\w+)", "\n".join(logs)))
        assert {kind for _, kind in ran} >= {"open", "invite", "reminder"}
        assert set(ran.values()) == {1}, ran
        handled = [log.count("webhook server listening") for log in logs]
        assert handled == [1, 1]
        async with services.uow() as uow:
            assert await uow.responses.count(wave_id, "complete") == RESIDENTS
            jobs = await uow.jobs.for_wave(wave_id)
        assert {(job.kind, job.state) for job in jobs if job.kind != "close"} == {
            ("open", "done"),
            ("invite", "done"),
            ("reminder", "done"),
        }
        assert await invariant_breaches(services) == []
        assert not any("Traceback" in log for log in logs)
        assert_no_violations(server)
    await services.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_webhook_replica_killed_mid_update_loses_nothing_and_doubles_nothing(
    migrated_database_url: str, tmp_path: Path
) -> None:
    services = real_services(migrated_database_url, tmp_path)
    user_ids = list(range(61_001, 61_001 + RESIDENTS))
    wave_id = await seed_residents_and_wave(services, user_ids, reminder_after=timedelta(days=1))
    async with LocalBotApiServer(webhook_replicas=True) as server:
        residents = [server.user(user_id) for user_id in user_ids]
        doomed, survivor = (
            webhook_replica(server, migrated_database_url, tmp_path, name) for name in "ab"
        )
        await asyncio.gather(doomed.start(), survivor.start())
        try:
            await wait_until(lambda: len(server.webhook_targets) == 2, 90, "both replicas")
            await answered_rounds(server, residents, 2)
            looked_at = await kill_mid_round(doomed, server, residents, random.Random(7))
            await wait_for_answers(residents, looked_at, 90)
            await answered_rounds(server, residents, 20)
            assert all(finished(r) for r in residents), [
                r.describe(3) for r in residents if not finished(r)
            ][:2]
        finally:
            if doomed.process and doomed.process.returncode is None:
                doomed.kill()
            code = await survivor.stop()
        assert code == 0, survivor.log()[-1500:]
        for resident in residents:
            assert count_texts(resident, INVITATION) <= 1
            assert shown_twice_in_a_row(resident) == [], resident.describe(8)
        async with services.uow() as uow:
            assert await uow.responses.count(wave_id, "complete") == RESIDENTS
        assert await invariant_breaches(services) == []
        assert "Traceback" not in survivor.log()
        assert_no_violations(server)
    await services.close()
