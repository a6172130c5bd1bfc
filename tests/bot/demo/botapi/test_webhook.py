"""Webhook mode: the local server POSTs updates, with the secret token, to one or more bots."""

from __future__ import annotations

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.demo.botapi import LocalBotApiServer
from tests.processes import free_port


def webhook_bot(server: LocalBotApiServer, name: str) -> Application:
    """A bot that replies with its own name, so a test can see which replica answered."""

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"{name}: {update.effective_message.text}")

    app = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, reply))
    return app


async def start_webhook(app: Application, secret: str) -> None:
    """Start the app's own webhook server on a free port and register it with setWebhook."""
    port = free_port()
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url=f"http://127.0.0.1:{port}/hook",
        secret_token=secret,
    )


async def stop(app: Application) -> None:
    """Stop the webhook server and the app."""
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_updates_arrive_by_webhook_with_the_secret_token() -> None:
    async with LocalBotApiServer() as server:
        app = webhook_bot(server, "bot")
        await start_webhook(app, secret="s3cret-token")
        try:
            info = await app.bot.get_webhook_info()
            assert info.url.endswith("/hook")
            resident = server.user(2001)
            resident.send_text("こんにちは")
            reply = await resident.next_message()
            assert reply.text == "bot: こんにちは"
        finally:
            await stop(app)
        assert server.violations == []


async def test_a_wrong_secret_is_refused_and_the_update_kept() -> None:
    async with LocalBotApiServer() as server:
        app = webhook_bot(server, "bot")
        await start_webhook(app, secret="right")
        try:
            target = server.webhook_targets[0]
            target.secret_token = "wrong"
            resident = server.user(2002)
            resident.send_text("届く？")
            with pytest.raises(TimeoutError):
                await resident.next_message(timeout=0.5)
            assert "403" in (await app.bot.get_webhook_info()).last_error_message
            target.secret_token = "right"
            assert (await resident.next_message()).text == "bot: 届く？"
        finally:
            await stop(app)


async def test_replicas_share_updates_round_robin_and_none_is_lost() -> None:
    async with LocalBotApiServer(webhook_replicas=True) as server:
        apps = [webhook_bot(server, "A"), webhook_bot(server, "B")]
        for app in apps:
            await start_webhook(app, secret="shared")
        try:
            assert len(server.webhook_targets) == 2
            residents = [server.user(3000 + i) for i in range(6)]
            for resident in residents:
                for n in range(3):
                    resident.send_text(str(n))
            await server.settle(quiet=0.2)
            replicas = set()
            for resident in residents:
                texts = [m.text for m in resident.bot_messages]
                assert sorted(t.split(": ")[1] for t in texts) == ["0", "1", "2"]
                replicas |= {t.split(": ")[0] for t in texts}
            assert replicas == {"A", "B"}
        finally:
            for app in apps:
                await stop(app)
        assert server.violations == []
