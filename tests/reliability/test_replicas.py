"""Two webhook replicas behind one Bot API server, one PostgreSQL: every job and invitation once."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.localapi import LocalBotApiServer
from tests.botapi.fixtures import assert_no_violations
from tests.reliability.driver import INVITATION, REMINDER, finished, play_rounds
from tests.reliability.invariants import invariant_breaches
from tests.reliability.processes import (
    BotProcess,
    free_port,
    real_services,
    seed_residents_and_wave,
)
from tests.reliability.test_crash import count_texts, wait_until

RESIDENTS = 30
WEBHOOK_SECRET = "replica-webhook-secret"


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
        replicas = []
        for name in ("a", "b"):
            port = free_port()
            replicas.append(
                BotProcess(
                    server,
                    migrated_database_url,
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
            )
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
