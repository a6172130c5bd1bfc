"""Benchmark: 100 residents answering the bundled survey against the local Bot API server.

Prints survey steps/s and p50/p99 latency (a tap or typed answer → the bot's next message)
next to the bare python-telegram-bot echo bot on the same kind of server, in the same run.
Usage: python bench/survey_bench.py [--users 100] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from echo_bench import run_echo

from bot.app import build_application
from bot.config import Settings
from bot.localapi import LocalBotApiServer
from bot.localapi.loadgen import LoadResult, drive_users
from bot.localapi.resident import Resident
from bot.runner import start, stop
from bot.services import Services
from tests.bot.conftest import seed_open_wave

PROFILE = ("30代", "女性", "十王地区", "10〜19年")
STEPS: tuple[tuple[str, str], ...] = (
    ("tap", "住みやすい"),
    ("tap", "わからない"),
    ("tap", "満足"),
    ("text", "駅前に <ベンチ> & 花を 🌸"),
    ("tap", "送信する"),
)


def _tap(resident: Resident, label: str) -> None:
    """Tap the latest button with exactly this label."""
    resident.tap(lambda text, data: text == label)


async def onboard(resident: Resident) -> None:
    """/start, language, consent and profile (not timed)."""
    resident.send_command("/start")
    await resident.wait_for_text("Choose your language", timeout=60)
    _tap(resident, "日本語")
    await resident.wait_for_text("同意いただけますか", timeout=60)
    _tap(resident, "同意する")
    await resident.wait_for_text("1/4", timeout=60)
    for label in PROFILE:
        _tap(resident, label)
        await resident.next_message(timeout=60)
    await resident.wait_for_text("1/4\n日立市は住みやすい", timeout=60)


async def survey_step(resident: Resident, index: int) -> None:
    """One survey step: answer, then wait for the bot's next message."""
    kind, value = STEPS[index]
    if kind == "tap":
        _tap(resident, value)
    else:
        resident.send_text(value)
    await resident.next_message(timeout=60)


async def run_survey(users: int, database_url: str | None) -> LoadResult:
    """One run of machikoe with `users` residents answering the bundled survey."""
    folder = Path(tempfile.mkdtemp(prefix="machikoe-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    services = await Services.open(Settings(data_dir=folder, database_url=url, secret="bench"))
    try:
        await seed_open_wave(services)
        async with LocalBotApiServer() as server:
            application = build_application(services, server.token, base_url=server.base_url)
            await start(application, poll_timeout=10)
            try:
                result = await drive_users(server, users, len(STEPS), survey_step, setup=onboard)
            finally:
                await stop(application)
            if server.violations:
                raise SystemExit(f"Bot API violations: {server.violations[:3]}")
            return result
    finally:
        await services.close()


async def main() -> None:
    """Run the survey bot and the echo bot; print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--database", default=None, help="database URL (default: SQLite)")
    args = parser.parse_args()
    survey = await run_survey(args.users, args.database)
    echo = await run_echo(args.users, len(STEPS), True)
    print(f"machikoe survey: {survey.summary('steps')}")
    print(f"bare PTB echo:   {echo.summary('messages')}")
    verdict = "meets" if survey.rate >= echo.rate else "is below"
    print(f"survey rate {verdict} the echo bot's ({survey.rate:.0f} vs {echo.rate:.0f} per second)")


if __name__ == "__main__":
    asyncio.run(main())
