"""/console: a staff member gets a one-time login link to the web console (private chat only)."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from bot.app.console_links import LINK_MINUTES, LinkProblem, LoginRefused, issue_link
from bot.telegram.roles import require_role, services_of
from surveys.roles import Role

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # a preview fetch must not see the link
REFUSED = {
    LinkProblem.NO_ADDRESS: "管理画面のアドレスが設定されていません。"
    "システム担当者に MACHIKOE_CONSOLE_URL の設定を依頼してください。",
    LinkProblem.NOT_STAFF: "管理画面は職員だけが使えます。",
}

log = logging.getLogger(__name__)


@require_role(Role.ADMIN, Role.ANALYST)
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
    services = services_of(context)
    try:
        link = await issue_link(services, user.id)
    except LoginRefused as refused:
        await context.bot.send_message(
            chat.id, REFUSED.get(refused.problem, REFUSED[LinkProblem.NOT_STAFF])
        )
        return
    await context.bot.send_message(
        chat.id,
        f"管理画面のログイン用リンクです（{LINK_MINUTES}分間有効・1回だけ使えます。"
        f"他の人に渡さないでください）。\n{link}",
        link_preview_options=NO_PREVIEW,
    )
    log.info("console login link sent to staff %s", services.respondent_key(user.id))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """/console, for staff."""
    return [CommandHandler("console", console_command, filters=filters.UpdateType.MESSAGE)]
