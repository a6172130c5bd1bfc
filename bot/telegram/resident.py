"""Resident handlers on Telegram: parse the update, call one use case, render its Reply."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.app import callbacks as cb
from bot.app.conversation import onboarding, taps, typed
from bot.app.conversation.onboarding import Command
from bot.app.conversation.resident import Channel, Resident
from bot.telegram.context import MachikoeContext
from bot.telegram.render import answer_tap, render

PRIVATE = filters.ChatType.PRIVATE


def resident_of(update: Update) -> Resident | None:
    """The resident writing, as the core knows them (None for updates without a user)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return Resident(Channel.TELEGRAM, user.id, user.language_code, contact=chat.id)


async def on_start(update: Update, context: MachikoeContext) -> None:
    """/start [w<wave>]: welcome and language choice, or continue where the resident was."""
    if (resident := resident_of(update)) is not None:
        reply = await onboarding.start(context.conversation, resident, context.args or ())
        await render(update, context, reply)


def on_command(which: Command) -> Callable[[Update, MachikoeContext], Coroutine[Any, Any, None]]:
    """The callback of one resident command (/language, /profile, /delete, /stop, /mydata)."""

    async def callback(update: Update, context: MachikoeContext) -> None:
        if (resident := resident_of(update)) is not None:
            await render(update, context, await taps.command(context.conversation, resident, which))

    return callback


async def on_tap(update: Update, context: MachikoeContext) -> None:
    """A resident's button: one use case, its reply rendered (which answers the tap)."""
    query = update.callback_query
    if query is None:
        return
    if (resident := resident_of(update)) is None:
        await answer_tap(update)
        return
    await render(update, context, await taps.tap(context.conversation, resident, query.data))


async def on_message(update: Update, context: MachikoeContext) -> None:
    """A message in the private chat: a typed answer, or a polite re-ask."""
    if (resident := resident_of(update)) is None or update.message is None:
        return
    reply = await typed.text(context.conversation, resident, update.message.text)
    await render(update, context, reply)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Resident commands (private chats), taps, and typed answers."""
    new_private = PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("start", on_start, filters=new_private),
        *(CommandHandler(str(c), on_command(c), filters=new_private) for c in Command),
        CallbackQueryHandler(on_tap, pattern=cb.RESIDENT_PATTERN),
        MessageHandler(new_private & ~filters.COMMAND, on_message),
    ]
