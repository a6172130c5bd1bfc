"""The load generator in its own process: a bot here, the server and residents there."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.demo.botapi.loadgen import LoadPlan, LoadProcess


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def test_every_resident_step_in_the_other_process_is_timed() -> None:
    async with LoadProcess() as load:
        app = ApplicationBuilder().token(load.token).base_url(load.base_url).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            played = await load.drive(LoadPlan(users=5, steps_per_user=3))
            await app.updater.stop()
            await app.stop()
    assert played.violations == []
    assert (played.load.steps, played.load.users) == (15, 5)
    assert all(latency > 0 for latency in played.load.latencies)
    assert played.load.rate > 0
    cpu = played.load.bot_cpu_seconds  # the echo bot in this process did the replying
    assert cpu is not None and 0 < cpu < played.load.seconds * 4
    server_cpu = played.load.server_cpu_seconds  # the server answered every call
    assert server_cpu is not None and 0 < server_cpu < played.load.seconds * 2
    line = played.load.summary("messages")
    assert "bot CPU" in line and "server busy" in line and "bot busy" in line
