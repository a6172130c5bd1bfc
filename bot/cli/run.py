"""`machikoe run`: the bot, by long polling (default) or webhook, until SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import TYPE_CHECKING, Any

import click

from bot.cli import CliError
from bot.config import Settings

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.app.scheduler import WaveJobs
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


def wave_jobs_for(
    services: Services,
    application: Application | None = None,  # type: ignore[type-arg]
    **options: Any,
) -> WaveJobs:
    """The process's wave jobs: Telegram delivery and the staff chat's summaries through the
    application's bot when there is one, LINE push when LINE is configured."""
    from bot.app.delivery import Delivery, SummaryNotifier
    from bot.app.scheduler import WaveJobs
    from surveys.modes import Channel

    deliveries: dict[Channel, Delivery] = {}
    summaries: SummaryNotifier | None = None
    if application is not None:
        from bot.telegram.context import attach_wave_jobs
        from bot.telegram.delivery import StaffChatSummaries, TelegramDelivery

        deliveries[Channel.TELEGRAM] = TelegramDelivery(application.bot)
        summaries = StaffChatSummaries(application.bot, services)
    settings = services.settings
    if settings.line_channel_secret and settings.line_channel_token:
        from bot.line.push import LinePusher

        deliveries[Channel.LINE] = LinePusher(settings)
    jobs = WaveJobs(services, deliveries, summaries, **options)
    if application is not None:
        attach_wave_jobs(application, jobs)
    return jobs


async def _serve(
    settings: Settings,
    token: str | None,
    api_base_url: str | None,
    webhook_url: str | None,
    listen: str,
    port: int,
    secret: str | None,
    line: tuple[str, int] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Open services (migrating the database), start the Telegram application and the LINE
    webhook as configured, then the wave jobs; run until signalled (or `stop` is set)."""
    from bot.app.services import Services
    from bot.process import settle_memory, signals_set
    from bot.telegram.runner import Webhook, start
    from bot.telegram.runner import stop as stop_application

    done = stop or asyncio.Event()
    with signals_set(done):
        services = await Services.open(settings, migrate=True)
        # load (or first train) the classifier now, not when the first comment arrives
        warming = asyncio.create_task(get_ready(services))
        line_server = await _start_line(services, line)
        application = None
        jobs = None
        try:
            if token is not None:
                from bot.telegram.application import build_application

                application = build_application(services, token, base_url=api_base_url)
                webhook = None
                if webhook_url is not None:
                    assert secret is not None
                    webhook = Webhook(
                        url=webhook_url, secret_token=secret, listen=listen, port=port
                    )
                await start(application, webhook)
            jobs = wave_jobs_for(services, application)
            await jobs.start()
            settle_memory()
            await done.wait()
            log.info("stopping")
        finally:
            if jobs is not None:
                await jobs.stop()
            if application is not None:
                await stop_application(application)
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
    from bot.process import settle_memory

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
