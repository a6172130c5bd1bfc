"""Last handlers: unknown commands and anything no other handler took."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.app.conversation.context import Conversation
from bot.app.conversation.resident import Channel, Resident
from bot.app.texts import t
from bot.telegram.context import conversation_of


async def resident_language(conversation: Conversation, update: Update) -> str:
    """The language the resident chose, else one guessed from Telegram."""
    user = update.effective_user
    if user is None:
        return "ja"
    return await conversation.language(Resident(Channel.TELEGRAM, user.id, user.language_code))


async def reply_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the sender the command does not exist (also what non-staff see for staff commands)."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await resident_language(conversation_of(context.application), update)
    await context.bot.send_message(
        chat.id, t(language, "unknown_command"), parse_mode=ParseMode.HTML
    )


async def answer_unknown_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap no handler knows (an old bot's button): answer it so it stops spinning."""
    if update.callback_query is not None:
        await update.callback_query.answer()


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Unknown commands get one polite line; unknown taps are answered."""
    return [
        MessageHandler(filters.COMMAND, reply_unknown_command),
        CallbackQueryHandler(answer_unknown_tap),
    ]
