"""/help: the resident's commands in their language, and a staff member's own commands too."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.app.staff import role_of
from bot.app.texts import t
from bot.telegram.context import MachikoeContext
from bot.telegram.fallback import reply_unknown_command, resident_language
from bot.telegram.staff_screens import staff_help


async def help_command(update: Update, context: MachikoeContext) -> None:
    """/help: in a private chat the resident's help (and the staff commands for staff); in a
    group only staff get an answer, their commands."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    role = await role_of(context.services, user.id)
    private = chat.type == ChatType.PRIVATE
    if not private and role is None:
        await reply_unknown_command(update, context)
        return
    parts = [t(await resident_language(context.conversation, update), "help")] if private else []
    if role is not None:
        parts.append(staff_help(role))
    await context.bot.send_message(chat.id, "\n\n".join(parts), parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """/help, for residents and staff."""
    return [CommandHandler("help", help_command, filters=filters.UpdateType.MESSAGE)]
