"""Build the Telegram Application: the handlers in order, per-chat ordering, errors, start-up."""

from __future__ import annotations

import contextlib
import html
import logging
from datetime import timedelta

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.app.comments import install as install_comment_pipeline
from bot.app.services import Services
from bot.app.texts import t
from bot.telegram.context import CONTEXT_TYPES, SERVICES, MachikoeContext
from bot.telegram.fallback import resident_language
from bot.telegram.flood import GROUP as FLOOD_GROUP
from bot.telegram.flood import flood_handler
from bot.telegram.handlers import HANDLER_MODULES
from bot.telegram.inbox import Inbox
from bot.telegram.transport import use_aiohttp
from bot.telegram.update_processor import MAX_CONCURRENT_UPDATES, PerChatUpdateProcessor

log = logging.getLogger(__name__)


TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
COMMANDS: tuple[str, ...] = ("start", "help", "language", "profile", "mydata", "delete", "stop")


def file_url_for(base_url: str) -> str:
    """The file download URL that goes with a Bot API base URL (…/bot → …/file/bot)."""
    root = base_url.rstrip("/")
    if root.endswith("/bot"):
        return root[: -len("/bot")] + "/file/bot"
    return root + "/file/bot"


def build_application(
    services: Services,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    *,
    max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
) -> Application:  # type: ignore[type-arg]
    """The machikoe bot: the handler modules in order, services on the handlers' context."""
    base = base_url or TELEGRAM_BASE_URL
    inbox = Inbox(services, timedelta(hours=services.settings.inbox_max_age_hours))
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base)
        .base_file_url(base_file_url or file_url_for(base))
        .concurrent_updates(PerChatUpdateProcessor(max_concurrent_updates, inbox.handled))
        .post_init(run_startup_hooks)
        .context_types(CONTEXT_TYPES)
    )
    application = use_aiohttp(builder, max_concurrent_updates).build()
    application.bot_data[SERVICES] = services
    application.bot_data["inbox"] = inbox
    install_comment_pipeline(services)
    application.add_handler(flood_handler(), group=FLOOD_GROUP)
    for module in HANDLER_MODULES:
        for handler in module.handlers():
            application.add_handler(handler, group=0)
    application.add_error_handler(report_error)
    return application


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Tell Telegram the command list, in Japanese (default) and English."""
    for language, code in (("ja", None), ("ja", "ja"), ("en", "en")):
        commands = [BotCommand(name, t(language, f"cmd_{name}")) for name in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=code)


async def run_startup_hooks(application: Application) -> None:  # type: ignore[type-arg]
    """Register commands (wave jobs and timers run on the process's WaveJobs, bot.app.scheduler)."""
    await register_commands(application)


async def report_error(update: object, context: MachikoeContext) -> None:
    """Log the failure (never message text) and give the resident one clear line."""
    error = context.error
    if isinstance(error, BadRequest) and "not modified" in str(error).lower():
        return
    log.error("update failed: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        language = await resident_language(context.conversation, update)
        await context.bot.send_message(
            update.effective_chat.id, html.escape(t(language, "error")), parse_mode=ParseMode.HTML
        )
    except Exception as failure:  # the error report must never raise
        log.warning("could not tell the resident about an error: %s", type(failure).__name__)
