"""A Reply on Telegram: Screens as HTML messages with inline keyboards, the tapped message
edited in place or closed, the latest message of the chat remembered."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from enum import Enum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.app.conversation.screens import Placement, Reply, Screen
from bot.telegram.context import MachikoeContext
from bot.telegram.transport import call_unparsed

LATEST = "machikoe_latest_message"
"""chat_data key: the id of the latest message the bot sent in the chat."""
log = logging.getLogger(__name__)


class Edited(Enum):
    """What became of an edit: made, refused as unchanged, or impossible (message gone)."""

    YES = "yes"
    UNCHANGED = "unchanged"
    NO = "no"


def markup_of(screen: Screen) -> InlineKeyboardMarkup | None:
    """A screen's rows as an inline keyboard (None without buttons)."""
    if not screen.rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in screen.rows]
    )


async def send(context: MachikoeContext, chat_id: int, screen: Screen) -> None:
    """Send one screen as HTML (and remember it as the chat's latest)."""
    sent = await call_unparsed(
        context.bot,
        "sendMessage",
        chat_id=chat_id,
        text=screen.text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup_of(screen),
    )
    if isinstance(sent, dict) and context.chat_data is not None:
        latest = context.chat_data.get(LATEST, 0)
        context.chat_data[LATEST] = max(latest, int(sent.get("message_id", 0)))


async def send_all(context: MachikoeContext, chat_id: int, screens: tuple[Screen, ...]) -> None:
    """Send screens in order."""
    for screen in screens:
        await send(context, chat_id, screen)


def is_latest(context: MachikoeContext, message: Message) -> bool:
    """Whether no later message of ours is known in the chat (after a restart none is, and
    the tapped message most likely is the latest)."""
    known = context.chat_data.get(LATEST, 0) if context.chat_data is not None else 0
    return message.message_id >= known


def tapped_message(update: Update) -> Message | None:
    """The bot message whose button was tapped (None when too old to edit)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message if isinstance(message, Message) else None


async def edit(
    message: Message | None, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> Edited:
    """Edit a bot message (its text, or only its keyboard when `text` is None)."""
    if message is None:
        return Edited.NO
    where = {"chat_id": message.chat_id, "message_id": message.message_id}
    try:
        if text is None:
            await call_unparsed(
                message.get_bot(), "editMessageReplyMarkup", **where, reply_markup=markup
            )
        else:
            await call_unparsed(
                message.get_bot(),
                "editMessageText",
                **where,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
    except BadRequest as error:
        log.debug("edit refused: %s", error.message)
        unchanged = "not modified" in error.message.lower()
        return Edited.UNCHANGED if unchanged else Edited.NO
    return Edited.YES


async def answer_tap(update: Update, toast: str | None = None) -> None:
    """Answer the tapped button's callback query (no spinning buttons)."""
    if update.callback_query is not None:
        with suppress(TelegramError):
            await update.callback_query.answer(toast)


async def render(update: Update, context: MachikoeContext, reply: Reply) -> None:
    """Show a reply: to a tap in or below the tapped message (the tap answered meanwhile),
    to anything else as new messages."""
    chat = update.effective_chat
    if chat is None:
        return
    if update.callback_query is None:
        await send_all(context, chat.id, reply.screens)
        return
    await asyncio.gather(answer_tap(update, reply.toast), _render_tap(update, context, reply))


async def _render_tap(update: Update, context: MachikoeContext, reply: Reply) -> None:
    chat, message = update.effective_chat, tapped_message(update)
    assert chat is not None
    if reply.placement is Placement.KEYBOARD:
        if reply.screens:
            await edit(message, None, markup_of(reply.screens[0]))
        return
    if reply.placement is Placement.IN_PLACE and reply.screens:
        if await in_place(context, message, reply):
            await send(context, chat.id, reply.screens[0])
        await send_all(context, chat.id, reply.screens[1:])
        return
    if reply.closes:
        edited = await edit(message, closed_text(message, reply), None)
        if reply.once and edited is not Edited.YES:
            return
    await send_all(context, chat.id, reply.screens)


async def in_place(context: MachikoeContext, message: Message | None, reply: Reply) -> bool:
    """Turn the tapped message into the first screen when it is the chat's latest: the survey
    moves on in one message. A message further up keeps `answered` (or its text) without
    buttons; True when the screen is to come as a new message, so the current step is always
    at the bottom (`once`: not when that message had lost its buttons already)."""
    screen = reply.screens[0]
    if message is not None and is_latest(context, message):
        return await edit(message, screen.text, markup_of(screen)) is Edited.NO
    return await edit(message, reply.answered, None) is Edited.YES or not reply.once


def closed_text(message: Message | None, reply: Reply) -> str | None:
    """The tapped message's new text as it loses its buttons (None: the text stays)."""
    if reply.appended is not None:
        if message is None or not message.text:
            return None
        return f"{message.text_html}\n\n{reply.appended}"
    return reply.answered
