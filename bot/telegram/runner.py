"""Start and stop the bot (long polling or webhook), usable by `machikoe run` and the demo."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlparse

from telegram import Update
from telegram.ext import Application

from bot.telegram.application import run_startup_hooks
from bot.telegram.intake import Intake

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates and where we listen for them."""

    url: str
    secret_token: str
    listen: str = "127.0.0.1"
    port: int = 8443
    url_path: str = ""


async def start(
    application: Application,  # type: ignore[type-arg]
    webhook: Webhook | None = None,
    *,
    poll_timeout: int = 10,
) -> None:
    """Initialise, run start-up hooks, handle what a stopped bot left, then take updates."""
    if webhook is not None and not webhook.secret_token:
        raise ValueError("webhook mode needs a secret token")
    await application.initialize()
    await run_startup_hooks(application)
    await application.start()
    intake = Intake(application, application.bot_data["inbox"])
    application.bot_data["intake"] = intake
    if webhook is None:
        await application.bot.delete_webhook()
        await intake.start(polling=True, timeout=poll_timeout)
        log.info("long polling started")
        return
    await intake.start(polling=False)
    intake.serve_webhook(
        webhook.listen,
        webhook.port,
        webhook.url_path or urlparse(webhook.url).path,
        webhook.secret_token,
    )
    await application.bot.set_webhook(
        webhook.url, secret_token=webhook.secret_token, allowed_updates=Update.ALL_TYPES
    )
    log.info("webhook server listening on %s:%s", webhook.listen, webhook.port)


async def stop(application: Application) -> None:  # type: ignore[type-arg]
    """Stop taking updates, finish the updates in hand, mark them done, release everything."""
    intake: Intake | None = application.bot_data.pop("intake", None)
    if intake is not None:
        await intake.stop()
    if application.running:
        await application.stop()
    if intake is not None:
        await intake.inbox.close()
    await application.shutdown()
