"""`machikoe run` as separate processes against the local Bot API server, and their seeding."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import timedelta
from pathlib import Path

from bot.app.services import Services
from bot.app.waves import create_wave, schedule_wave
from bot.config import Settings
from bot.demo.botapi import LocalBotApiServer
from storage.db import create_engine, session_factory
from tests.builders import PROFILE, make_respondent
from tests.processes import MACHIKOE

SECRET = "reliability-secret"
SURVEY_ID = "residency-livability"


ALWAYS = {"send_window": "00:00-24:00", "min_gap_hours": 0}
"""On the real clock at any hour, and a reminder seconds after the invitation."""


def real_services(database_url: str, data_dir: Path) -> Services:
    """Services on the real clock (the bot processes use it too) and the shared secret."""
    settings = Settings(data_dir=data_dir, database_url=database_url, secret=SECRET)
    engine = create_engine(database_url)
    return Services(settings, engine, session_factory(engine), SECRET)


async def seed_residents_and_wave(
    services: Services, user_ids: list[int], reminder_after: timedelta
) -> int:
    """Consenting, profiled residents and a wave that opens now with one reminder; its id."""
    for user_id in user_ids:
        await make_respondent(
            services.uow,
            key=services.respondent_key(user_id),
            chat_id=user_id,
            profile=PROFILE,
        )
    now = services.now()
    wave = await create_wave(
        services,
        survey_id=SURVEY_ID,
        name="crash and replicas",
        opens_at=now,
        closes_at=now + timedelta(days=7),
        reminders=[(now + reminder_after).isoformat()],
        rules=ALWAYS,
    )
    await schedule_wave(services, wave.id)
    return wave.id


class BotProcess:
    """One `machikoe run` child process."""

    def __init__(
        self,
        server: LocalBotApiServer,
        database_url: str,
        data_dir: Path,
        log_path: Path,
        *extra: str,
        verbose: bool = False,
    ) -> None:
        self.env = {
            **os.environ,
            "MACHIKOE_TELEGRAM_TOKEN": server.token,
            "MACHIKOE_TELEGRAM_API_URL": server.base_url,
            "MACHIKOE_SECRET": SECRET,
            "MACHIKOE_DATA_DIR": str(data_dir),
            "MACHIKOE_DATABASE_URL": database_url,
        }
        self.args = ("-v", "run", *extra) if verbose else ("run", *extra)
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> BotProcess:
        """Start the process; its output goes to the log file."""
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                MACHIKOE, *self.args, env=self.env, stdout=log, stderr=log
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up at all."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> int:
        """SIGTERM and wait (SIGKILL after 60 s: a bot that never saved its classifier finishes
        training it first); the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
        return await self.process.wait()

    def log(self) -> str:
        """What the process wrote."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
