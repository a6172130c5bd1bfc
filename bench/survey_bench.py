"""Benchmark: 100 residents answering the bundled survey against the local Bot API server.

The local Bot API server and the simulated residents run in a process of their own
(bot.demo.botapi.loadgen.LoadProcess); each bot runs in a fresh process of its own, one after
the other: the bare python-telegram-bot echo bot (PTB's defaults: the reference), the same
echo bot with machikoe's update processing and transport (for comparison), then machikoe on
SQLite and on PostgreSQL, each with the durable inbox (bot/telegram/inbox.py: every update recorded
before Telegram is told, marked done once handled) and without it (the same intake passing
updates straight on), so the inbox's cost is measured in the same run. Prints steps/s and
p50/p99 latency (a tap or typed answer → the bot's next message) for each, and the CPU the
bot's process spent per step: on loopback both bots are CPU-bound, so that figure explains
the rates.
Each figure swings by a fifth or more from run to run on a small machine, so every bot runs
`--rounds` times (5 by default) and the verdict compares medians; the inbox's cost is the
median over rounds of with/without, the two runs of a round one right after the other (in
alternating order).
Measured (3 rounds, `--only survey`, 2 shared cores): the inbox's cost +5 % on SQLite (2.21 vs
2.13 ms per step) and +1 % on PostgreSQL (2.88 vs 2.66 ms) in the median round.
Usage: python bench/survey_bench.py [--users 100] [--rounds 5] [--postgres URL | --postgres '']
                                    [--only survey]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
from echo_bench import run_echo

from bot.app.catalog import survey_for_wave
from bot.app.comments import comment_question_ids, pipeline_of
from bot.app.services import Services
from bot.cli.run import finish_comments, warm_up_classifier
from bot.config import Settings
from bot.demo.botapi.loadgen import LoadPlan, LoadProcess, LoadResult
from bot.demo.botapi.resident import Resident
from bot.process import settle_memory
from bot.telegram.application import build_application
from bot.telegram.inbox import Inbox, Raw
from bot.telegram.runner import start, stop
from tests.bot.conftest import seed_open_wave

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PROFILE = ("30代", "女性", "十王地区", "10〜19年")
STEPS: tuple[tuple[str, str, str], ...] = (
    ("tap", "住みやすい", "2/4〜5"),
    ("tap", "わからない", "3/4"),
    ("tap", "満足", "4/4"),
    ("text", "駅前に <ベンチ> & 花を 🌸", "回答の確認"),
    ("tap", "送信する", "ありがとう"),
)
"""Each step: a tap or a typed answer, and what the bot's next screen shows."""


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
    await resident.wait_for_screen("1/4〜5\n日立市は住みやすい", timeout=60)


async def survey_step(resident: Resident, index: int) -> None:
    """One survey step: answer, then wait until the bot shows the next screen."""
    kind, value, next_screen = STEPS[index]
    if kind == "tap":
        _tap(resident, value)
    else:
        resident.send_text(value)
    await resident.wait_for_screen(next_screen, timeout=60)


class Unrecorded(Inbox):
    """No inbox: updates go straight on, as before the inbox (the reference for its cost)."""

    async def open(self) -> None:
        """Nothing to announce."""

    async def close(self) -> None:
        """Nothing to release."""

    async def record(self, batch: Sequence[Raw]) -> list[Raw]:
        """Every update, recorded nowhere."""
        return list(batch)

    async def recover(self) -> list[Raw]:
        """Nothing was left."""
        return []

    async def keep_alive(self) -> None:
        """No lock to keep."""

    async def take_over(self) -> list[Raw]:
        """Nothing to take over."""
        return []

    async def purge(self) -> None:
        """Nothing to drop."""


async def run_survey(users: int, database_url: str | None, inbox: bool = True) -> LoadResult:
    """One run of machikoe (in this process) with `users` residents answering the survey."""
    folder = Path(tempfile.mkdtemp(prefix="machikoe-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    services = await Services.open(Settings(data_dir=folder, database_url=url, secret="bench"))
    try:
        wave_id = await seed_open_wave(services)
        await warm_up_classifier(services)  # as `machikoe run` does before residents arrive
        async with LoadProcess() as load:
            application = build_application(services, load.token, base_url=load.base_url)
            if not inbox:
                application.bot_data["inbox"] = Unrecorded(services)
            await start(application, poll_timeout=10)
            settle_memory()  # as `machikoe run` does once started and warmed up
            try:
                plan = LoadPlan(users, len(STEPS), survey_step, setup=onboard)
                played = await load.drive(plan)
                await report_comments(services, wave_id)
            finally:
                await stop(application)
    finally:
        await finish_comments(services)
        await services.close()
    if played.violations:
        raise SystemExit(f"Bot API violations: {played.violations[:3]}")
    return played.load


async def report_comments(services: Services, wave_id: int) -> None:
    """How long the background comment work ran on after the last step; every comment must
    be stored and classified by then."""
    pipeline = pipeline_of(services)
    assert pipeline is not None
    started = time.perf_counter()
    await pipeline.wait_idle()
    waited = time.perf_counter() - started
    async with services.uow() as uow:
        wave = await uow.waves.get(wave_id)
        assert wave is not None
        questions = comment_question_ids(await survey_for_wave(uow, wave))
        unstored = len(await uow.comments.missing(wave_id, questions))
        unclassified = len(await uow.comments.unclassified(limit=10_000))
    if unstored or unclassified:
        raise SystemExit(f"comments: {unstored} not stored, {unclassified} not classified")
    print(f"  (comments all stored and classified {waited:.2f}s after the last step)")


async def _admin(server_url: str, sql: str) -> None:
    """One administrative statement on a PostgreSQL server."""
    connection = await asyncpg.connect(server_url.replace("+asyncpg", ""), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def run_postgres(users: int, server_url: str, inbox: bool = True) -> LoadResult:
    """One run on a fresh PostgreSQL database, dropped afterwards."""
    name = f"machikoe_bench_{os.getpid()}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        return await run_survey(users, server_url.rsplit("/", 1)[0] + "/" + name, inbox)
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BOTS: dict[str, Callable[[int, str], Awaitable[LoadResult]]] = {
    "bare PTB echo": lambda users, _: run_echo(users, len(STEPS), False),
    "echo, machikoe's transport": lambda users, _: run_echo(users, len(STEPS), True),
    "machikoe survey, SQLite": lambda users, _: run_survey(users, None),
    "  SQLite, no inbox": lambda users, _: run_survey(users, None, inbox=False),
    "machikoe survey, PostgreSQL": run_postgres,
    "  PostgreSQL, no inbox": lambda users, url: run_postgres(users, url, inbox=False),
}
WITHOUT_INBOX = {
    "machikoe survey, SQLite": "  SQLite, no inbox",
    "machikoe survey, PostgreSQL": "  PostgreSQL, no inbox",
}


def play_alone(bot: str, users: int, postgres: str) -> LoadResult:
    """One run of one bot, in this process (a fresh one)."""
    return asyncio.run(BOTS[bot](users, postgres))


async def in_fresh_process(bot: str, users: int, postgres: str) -> LoadResult:
    """One run of one bot in a process of its own: the garbage collector walks every object
    a process holds, so a bot run after another would pay for the other's memory."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        return await asyncio.wrap_future(pool.submit(play_alone, bot, users, postgres))


async def one_round(
    users: int, postgres: str, bots: list[str], swap: bool = False
) -> dict[str, LoadResult]:
    """Each bot once, one line each: the echo bots, then machikoe on each database, with and
    without the inbox one right after the other (`swap`: without it first, so that a machine
    getting busier or quieter during a round favours neither)."""
    results = {}
    order = list(bots)
    if swap:
        for with_inbox, without in WITHOUT_INBOX.items():
            if with_inbox in order and without in order:
                i, j = order.index(with_inbox), order.index(without)
                order[i], order[j] = order[j], order[i]
    for bot in order:
        results[bot] = await in_fresh_process(bot, users, postgres)
    for name, result in results.items():
        unit = "messages" if "echo" in name else "steps"
        print(f"{name + ':':<30}{result.summary(unit)}")
    return results


async def main() -> None:
    """Run every bot `--rounds` times; print each run, then medians and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5, help="repeat everything N times")
    parser.add_argument(
        "--postgres", default=POSTGRES_URL, help="PostgreSQL server URL ('' to skip)"
    )
    parser.add_argument(
        "--only", choices=("all", "survey"), default="all", help="'survey': no echo bots"
    )
    args = parser.parse_args()
    bots = [
        bot
        for bot in BOTS
        if (args.postgres or "PostgreSQL" not in bot) and (args.only == "all" or "echo" not in bot)
    ]
    rates: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for round_ in range(1, args.rounds + 1):
        print(f"-- round {round_} of {args.rounds}")
        for name, result in (
            await one_round(args.users, args.postgres, bots, swap=round_ % 2 == 0)
        ).items():
            rates.setdefault(name, []).append(result.rate)
            cpu.setdefault(name, []).append((result.bot_cpu_per_step or 0.0) * 1000)
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print(f"-- medians of {args.rounds} round(s): per second, and the bot's CPU per step")
    for name, rate in medians.items():
        print(f"{name + ':':<30}{rate:>5.0f}/s  {statistics.median(cpu[name]):.2f} ms")
    for name, without in WITHOUT_INBOX.items():
        if name in cpu and without in cpu:
            with_inbox, reference = statistics.median(cpu[name]), statistics.median(cpu[without])
            # each round's two runs ran one right after the other: their ratio is what the
            # inbox costs under that round's load on the machine
            paired = statistics.median(a / b for a, b in zip(cpu[name], cpu[without], strict=True))
            cost = paired - 1
            verdict = "within" if cost <= 0.10 else "beyond"
            print(
                f"{name}: CPU per step {with_inbox:.2f} ms with the inbox, {reference:.2f} ms"
                f" without (medians); {cost:+.0%} in the median round, {verdict} 10 %"
            )
    if "bare PTB echo" not in medians:
        return
    reference = medians["bare PTB echo"]
    reference_cpu = statistics.median(cpu["bare PTB echo"])
    for name, rate in medians.items():
        if name.startswith("machikoe survey"):
            verdict = "meets" if rate >= reference else "is below"
            print(
                f"{name}: {verdict} the bare echo bot ({rate:.0f} vs {reference:.0f} per second;"
                f" CPU {statistics.median(cpu[name]) / reference_cpu:.1f}x the echo's per step)"
            )


if __name__ == "__main__":
    asyncio.run(main())
