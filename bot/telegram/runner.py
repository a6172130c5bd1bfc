"""Start and stop the bot (long polling or webhook), usable by `machikoe run` and the demo."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import suppress
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


def settle_memory() -> None:
    """Keep what start-up made (modules, handlers, the classifier) out of the garbage
    collector's full passes. Those objects live as long as the process, and walking them took
    over a tenth of a second per pass, a stall every resident's step waited through."""
    gc.collect()
    gc.freeze()


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


async def run_until_signalled(
    application: Application,  # type: ignore[type-arg]
    webhook: Webhook | None = None,
    stop_event: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM or SIGINT (or `stop_event`), then shut down gracefully."""
    done = stop_event or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, done.set)
            installed.append(sig)
    try:
        await start(application, webhook)
        settle_memory()
        await done.wait()
        log.info("stopping")
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        await stop(application)
