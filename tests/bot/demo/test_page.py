"""The chat page with a tiny stand-in bot: formatting, buttons, text box, one resident per tab."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import expect
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.demo.server import DemoServer
from tests.bot.demo.botapi.fixtures import assert_no_violations, ptb_application
from tests.bot.demo.browser import chromium

pytestmark = pytest.mark.browser


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Formatted text with an injected-looking value and two buttons."""
    assert update.effective_chat is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("はい", callback_data="yes")],
            [InlineKeyboardButton("いいえ", callback_data="no")],
        ]
    )
    await context.bot.send_message(
        update.effective_chat.id,
        "<b>ようこそ</b> &lt;img src=x onerror=alert(1)&gt; "
        f"<i>あなたは {update.effective_chat.id}</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm the tap and say which button it was."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer("受け付けました")
    await context.bot.send_message(query.message.chat.id, f"選んだのは {query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the text."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(f"受信: {update.message.text}")


@pytest.fixture
async def page_server() -> AsyncIterator[DemoServer]:
    """The demo server with the page and a stand-in bot long-polling it."""
    staff: list[int] = []

    async def make_staff(user_id: int) -> None:
        staff.append(user_id)

    async with DemoServer(on_staff=make_staff) as server:
        application: Application = ptb_application(server)  # type: ignore[type-arg]
        application.add_handler(CommandHandler("start", greet))
        application.add_handler(CallbackQueryHandler(answer))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        server.staff = staff  # type: ignore[attr-defined]
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield server
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
        assert_no_violations(server)


async def test_a_resident_taps_and_types_and_sees_formatting_safely(
    page_server: DemoServer,
) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await page.goto(page_server.url)
        await page.get_by_role("button", name="開始").click()
        bold = page.locator(".msg.bot .bubble b", has_text="ようこそ")
        await expect(bold).to_be_visible()
        await expect(page.get_by_role("button", name="開始")).to_be_hidden()
        await expect(page.locator(".msg.bot .bubble").first).to_contain_text("<img src=x")
        assert await page.locator(".msg.bot img").count() == 0
        await page.get_by_role("button", name="はい").click()
        await expect(page.get_by_text("選んだのは yes")).to_be_visible()
        await expect(page.get_by_role("status")).to_have_text("受け付けました")
        await page.get_by_label("メッセージ", exact=True).fill("こんにちは")
        await page.keyboard.press("Enter")
        await expect(page.get_by_text("受信: こんにちは")).to_be_visible()
        assert dialogs == []


async def test_each_tab_is_a_new_resident_and_the_staff_tab_registers_staff(
    page_server: DemoServer,
) -> None:
    async with chromium() as browser:
        first = await browser.new_page()
        second = await browser.new_page()
        for page in (first, second):
            await page.goto(page_server.url)
            await expect(page.locator("#identity")).to_contain_text("ユーザー")
        await first.get_by_role("button", name="開始").click()
        await expect(first.locator(".bubble i")).to_be_visible()
        first_id = int((await first.locator(".bubble i").text_content() or "").split()[-1])
        await second.get_by_role("button", name="開始").click()
        await expect(second.locator(".bubble i")).to_be_visible()
        second_id = int((await second.locator(".bubble i").text_content() or "").split()[-1])
        assert first_id != second_id
        await first.reload()
        await expect(first.locator(".bubble i")).to_have_text(f"あなたは {first_id}")
        async with first.context.expect_page() as opened:
            await first.get_by_role("link", name="職員として開く").click()
        staff_page = await opened.value
        await expect(staff_page.locator("#identity")).to_contain_text("職員")
        staff = page_server.staff  # type: ignore[attr-defined]
        assert len(staff) == 1
        assert staff[0] not in (first_id, second_id)
