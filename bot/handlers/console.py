"""/console: a staff member gets a one-time login link to the web console (private chat only)."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from bot.console.auth import LINK_LIFETIME, login_url
from bot.console.core import CONSOLE_URL_VARIABLE, configured_base_url
from bot.roles import ADMIN, ANALYST, require_role, services_of

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # a preview fetch must not see the link

log = logging.getLogger(__name__)


@require_role(ADMIN, ANALYST)
async def console_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the link in a private chat; in a group say where to ask instead."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await context.bot.send_message(
            chat.id,
            "管理画面のログイン用リンクは、ボットとの個別チャットで /console と送ると届きます。",
        )
        return
    base_url = configured_base_url()
    if base_url is None:
        await context.bot.send_message(
            chat.id,
            "管理画面のアドレスが設定されていません。"
            f"システム担当者に {CONSOLE_URL_VARIABLE} の設定を依頼してください。",
        )
        return
    services = services_of(context)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    await context.bot.send_message(
        chat.id,
        f"管理画面のログイン用リンクです（{minutes}分間有効・1回だけ使えます。他の人に渡さないでください）。\n"
        f"{login_url(services, user.id, base_url)}",
        link_preview_options=NO_PREVIEW,
    )
    log.info("console login link sent to staff %s", services.respondent_key(user.id))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """/console, for staff."""
    return [CommandHandler("console", console_command, filters=filters.UpdateType.MESSAGE)]
