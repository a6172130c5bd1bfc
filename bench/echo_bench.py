"""Benchmark: a bare python-telegram-bot echo bot on the local Bot API server.

Plays 100 residents each sending K messages and prints messages/second and p50/p99 latency
(resident sends → the bot's reply reaches the server), with PTB's concurrent_updates off
(its default) and on. Usage: python bench/echo_bench.py [--users 100] [--messages 20]
"""

from __future__ import annotations

import argparse
import asyncio

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.localapi import LocalBotApiServer
from bot.localapi.loadgen import LoadResult, drive_users, hammer_server


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def run_echo(users: int, messages: int, concurrent: bool) -> LoadResult:
    """One run of the echo bot with PTB's concurrent_updates on or off."""
    async with LocalBotApiServer() as server:
        app = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(server.base_url)
            .concurrent_updates(concurrent)
            .connection_pool_size(32 if concurrent else 8)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=10)
            result = await drive_users(server, users, messages)
            await app.updater.stop()
            await app.stop()
        if server.violations:
            raise SystemExit(f"Bot API violations: {server.violations[:3]}")
        return result


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
        label = "concurrent_updates=" + ("on " if concurrent else "off")
        print(f"echo bot, {label}: {result.summary('messages')}")


if __name__ == "__main__":
    asyncio.run(main())
