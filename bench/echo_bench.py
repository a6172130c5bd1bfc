"""Benchmark: a bare python-telegram-bot echo bot on the local Bot API server.

The server and the simulated residents run in a process of their own (bot.demo.botapi.loadgen.
LoadProcess); the bot runs in this one, as machikoe does in bench/survey_bench.py. Plays 100
residents each sending K messages and prints messages/second and p50/p99 latency (resident
sends → the bot's reply reaches the server): the bare bot with PTB's defaults (httpx,
concurrent_updates off), and the same bot with machikoe's update processing and transport
(per-chat ordering, 32 at a time, aiohttp; see bot/telegram/application.py).
Usage: python bench/echo_bench.py [--users 100] [--messages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.demo.botapi import LocalBotApiServer
from bot.demo.botapi.loadgen import LoadPlan, LoadProcess, LoadResult, hammer_server
from bot.telegram.transport import use_aiohttp
from bot.telegram.update_processor import MAX_CONCURRENT_UPDATES, PerChatUpdateProcessor


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


def build_echo(token: str, base_url: str, concurrent: bool) -> Application:  # type: ignore[type-arg]
    """The echo bot: PTB's defaults, or machikoe's update processing and transport."""
    builder = ApplicationBuilder().token(token).base_url(base_url)
    if concurrent:
        builder = builder.concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        builder = use_aiohttp(builder, MAX_CONCURRENT_UPDATES)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def run_echo(users: int, messages: int, concurrent: bool) -> LoadResult:
    """One run of the echo bot (in this process) against a server in its own process."""
    async with LoadProcess() as load:
        app = build_echo(load.token, load.base_url, concurrent)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=10)
            played = await load.drive(LoadPlan(users, messages))
            await app.updater.stop()
            await app.stop()
    if played.violations:
        raise SystemExit(f"Bot API violations: {played.violations[:3]}")
    return played.load


async def main() -> None:
    """Run the server-only check and both echo settings; print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20, help="messages per user (K)")
    args = parser.parse_args()
    async with LocalBotApiServer() as server:
        rate = await hammer_server(server, 5000)
        print(f"server alone: {rate:.0f} getMe requests/s")
    for concurrent in (False, True):
        result = await run_echo(args.users, args.messages, concurrent)
        label = "machikoe's processing and transport" if concurrent else "PTB defaults"
        print(f"echo bot, {label + ':':<37}{result.summary('messages')}")


if __name__ == "__main__":
    asyncio.run(main())
