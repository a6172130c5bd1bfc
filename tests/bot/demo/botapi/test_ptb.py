"""A real python-telegram-bot Application against the local Bot API server over HTTP."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.demo.botapi import ApiError, LocalBotApiServer
from tests.bot.demo.botapi.fixtures import local_bot_api, ptb_application  # noqa: F401

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back, escaped as HTML."""
    assert update.effective_message is not None
    text = html.escape(update.effective_message.text or "")
    await update.effective_message.reply_html(f"<b>echo</b>: {text}")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show two buttons."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("はい", callback_data="yes"),
                InlineKeyboardButton("いいえ", callback_data="no"),
            ]
        ]
    )
    assert update.effective_message is not None
    await update.effective_message.reply_text("続けますか？", reply_markup=keyboard)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the tap and edit the question to show the choice."""
    query = update.callback_query
    assert query is not None
    await query.answer("OK")
    await query.edit_message_text(f"選択: {query.data}")


def build(server: LocalBotApiServer) -> Application:
    """An echo bot pointed at the local server."""
    app = ptb_application(server)
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(choose))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


@pytest.fixture
async def polling_bot(local_bot_api: LocalBotApiServer) -> AsyncIterator[Application]:  # noqa: F811
    """The echo bot long-polling the server."""
    app = build(local_bot_api)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_a_resident_gets_the_echo_of_their_text(
    local_bot_api: LocalBotApiServer,  # noqa: F811
    polling_bot: Application,
) -> None:
    resident = local_bot_api.user(1001, "花子")
    resident.send_text("駅前 <BRT> & 😀")
    reply = await resident.next_message()
    assert reply.text == "echo: 駅前 <BRT> & 😀"
    assert reply.entities[0]["type"] == "bold"


async def test_a_tap_is_answered_and_the_question_edited(
    local_bot_api: LocalBotApiServer,  # noqa: F811
    polling_bot: Application,
) -> None:
    resident = local_bot_api.user(1002, "太郎")
    resident.send_command("/menu")
    question = await resident.next_message()
    assert question.button_texts == ["はい", "いいえ"]
    resident.tap("はい")
    edited = await resident.wait_for(lambda m: m.text == "選択: yes")
    await local_bot_api.settle()
    assert edited.buttons == ()
    assert resident.messages[-1].answered
    assert local_bot_api.unanswered_callbacks() == []


async def test_an_identical_edit_raises_not_modified(
    local_bot_api: LocalBotApiServer,  # noqa: F811
    polling_bot: Application,
) -> None:
    resident = local_bot_api.user(1003)
    message = await polling_bot.bot.send_message(resident.id, "同じ")
    with pytest.raises(BadRequest, match="not modified"):
        await polling_bot.bot.edit_message_text(
            "同じ", chat_id=resident.id, message_id=message.message_id
        )


async def test_flood_limit_surfaces_as_retry_after(local_bot_api: LocalBotApiServer) -> None:  # noqa: F811
    local_bot_api.rate_limits.per_chat_per_second = 1
    app = build(local_bot_api)
    resident = local_bot_api.user(1004)
    async with app:
        await app.bot.send_message(resident.id, "1")
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(resident.id, "2")
    retry_after = caught.value.retry_after
    assert getattr(retry_after, "total_seconds", lambda: retry_after)() == 1
    assert [m.text for m in resident.messages] == ["1"]


async def test_a_blocked_resident_gives_forbidden(local_bot_api: LocalBotApiServer) -> None:  # noqa: F811
    from telegram.error import Forbidden

    resident = local_bot_api.user(1005)
    local_bot_api.block(resident.id)
    async with build(local_bot_api) as app:
        with pytest.raises(Forbidden, match="blocked"):
            await app.bot.send_message(resident.id, "招待")
    assert ApiError(403, "x").error_code == 403


async def test_uploads_arrive_as_photo_and_document(local_bot_api: LocalBotApiServer) -> None:  # noqa: F811
    resident = local_bot_api.user(1006)
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000030000000208060000009ef8f7b6")
    async with build(local_bot_api) as app:
        photo = await app.bot.send_photo(
            resident.id, png, caption="<b>グラフ</b>", parse_mode="HTML"
        )
        document = await app.bot.send_document(resident.id, b"a,b\n1,2\n", filename="report.csv")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
    assert document.document is not None and document.document.file_name == "report.csv"
    shown = resident.messages
    assert shown[0].photo and shown[0].text == "グラフ"
    assert shown[1].document == "report.csv"
