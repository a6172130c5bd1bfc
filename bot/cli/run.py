"""`machikoe run`: the bot, by long polling (default) or webhook, until SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import TYPE_CHECKING

import click

from bot.cli import CliError
from bot.config import Settings

if TYPE_CHECKING:
    from bot.app.services import Services
    from bot.line.server import LineServer

log = logging.getLogger(__name__)


async def _start_line(services: Services, line: tuple[str, int] | None) -> LineServer | None:
    """The LINE webhook on (host, port), when asked for."""
    if line is None:
        return None
    from bot.line.server import LineServer

    server = LineServer(services, host=line[0], port=line[1])
    await server.start()
    log.info("LINE webhook at %s", server.url)
    return server


async def _serve(
    settings: Settings,
    token: str | None,
    api_base_url: str | None,
    webhook_url: str | None,
    listen: str,
    port: int,
    secret: str | None,
    line: tuple[str, int] | None = None,
) -> None:
    """Open services (migrating the database), build the application, run until signalled."""
    from bot.app.services import Services
    from bot.telegram.application import build_application
    from bot.telegram.runner import Webhook, run_until_signalled

    services = await Services.open(settings, migrate=True)
    # load (or first train) the classifier now, not when the first comment arrives
    warming = asyncio.create_task(get_ready(services))
    line_server = await _start_line(services, line)
    try:
        if token is None:  # LINE alone
            from bot.line.server import until_signalled

            await until_signalled()
            return
        application = build_application(services, token, base_url=api_base_url)
        webhook = None
        if webhook_url is not None:
            assert secret is not None
            webhook = Webhook(url=webhook_url, secret_token=secret, listen=listen, port=port)
        await run_until_signalled(application, webhook)
    finally:
        if line_server is not None:
            await line_server.stop()
        warming.cancel()
        await finish_comments(services)
        await services.close()


COMMENT_FINISH_SECONDS = 10.0
"""How long a stopping bot waits for comments still being stored or classified."""


async def finish_comments(services: Services) -> None:
    """Let the comment pipeline finish what it has in hand (briefly), then stop it."""
    from bot.app.comments import pipeline_of

    pipeline = pipeline_of(services)
    if pipeline is not None:
        await pipeline.finish(COMMENT_FINISH_SECONDS)


async def get_ready(services: Services) -> None:
    """Warm the classifier up, then settle the memory it took (see settle_memory)."""
    from bot.telegram.runner import settle_memory

    await warm_up_classifier(services)
    settle_memory()


async def warm_up_classifier(services: Services) -> None:
    """Get the comment classifier ready in its worker thread; a failure is only logged."""
    from bot.app.comments import install

    try:
        await install(services).warm_up()
    except Exception as error:  # the first comment tries again and reports properly
        log.warning("classifier warm-up failed: %s", type(error).__name__)


@click.command("run")
@click.option("--token", help="Bot token (default: MACHIKOE_TELEGRAM_TOKEN).")
@click.option(
    "--api-base-url",
    help="Bot API base URL, e.g. http://127.0.0.1:8081/bot (default: MACHIKOE_TELEGRAM_API_URL).",
)
@click.option("--webhook-url", help="Public HTTPS URL Telegram posts updates to (webhook mode).")
@click.option("--webhook-listen", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--webhook-port", default=8443, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--secret-token",
    help="Webhook secret (default: MACHIKOE_WEBHOOK_SECRET); required in webhook mode.",
)
@click.option(
    "--line", "line", is_flag=True, help="Also serve the LINE webhook (POST /line/webhook)."
)
@click.option("--line-listen", default="127.0.0.1", show_default=True, help="LINE webhook address.")
@click.option("--line-port", default=8090, show_default=True, type=int, help="LINE webhook port.")
@click.pass_obj
def run(
    settings: Settings,
    token: str | None,
    api_base_url: str | None,
    webhook_url: str | None,
    webhook_listen: str,
    webhook_port: int,
    secret_token: str | None,
    line: bool,
    line_listen: str,
    line_port: int,
) -> None:
    """Run the resident bot until SIGTERM (long polling unless --webhook-url is given); with
    --line the LINE webhook too (alone when no Telegram token is configured)."""
    token = token or settings.telegram_token
    if line and not (settings.line_channel_secret and settings.line_channel_token):
        raise CliError("LINE needs MACHIKOE_LINE_CHANNEL_SECRET and MACHIKOE_LINE_CHANNEL_TOKEN")
    if not token and not line:
        raise CliError("no bot token: set MACHIKOE_TELEGRAM_TOKEN or pass --token")
    base_url = api_base_url or settings.telegram_api_url
    secret = secret_token or os.environ.get("MACHIKOE_WEBHOOK_SECRET") or None
    if webhook_url is not None and not secret:
        raise CliError(
            "webhook mode needs a secret token: pass --secret-token or set MACHIKOE_WEBHOOK_SECRET"
        )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _serve(
                settings,
                token or None,
                base_url,
                webhook_url,
                webhook_listen,
                webhook_port,
                secret,
                (line_listen, line_port) if line else None,
            )
        )
