"""The aiohttp transport: real requests on loopback, and clear errors when the API misbehaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.demo.botapi import LocalBotApiServer
from bot.telegram.transport import AiohttpRequest, call_unparsed
from tests.processes import free_port

TOKEN = "123456:transport-test"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def serve(handler: Handler) -> AsyncIterator[str]:
    """A one-route HTTP server on loopback; yields its Bot API base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


def bot_at(base_url: str) -> Bot:
    """A Bot using the aiohttp transport."""
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest())


async def test_messages_and_documents_reach_the_local_server_intact() -> None:
    async with LocalBotApiServer(token=TOKEN) as server:
        resident = server.user(501)
        async with bot_at(server.base_url) as bot:
            text = "住みやすさ <b>1/4</b> 🌸"
            sent = await bot.send_message(resident.id, text, parse_mode="HTML")
            await bot.edit_message_text("回答済み ✓", resident.id, sent.message_id)
            await bot.send_document(resident.id, b"a,b\n1,2\n", filename="report.csv")
        assert sent.text == "住みやすさ 1/4 🌸"
        first, document = server.transcript(resident.id)
        assert (first.text, first.edited) == ("回答済み ✓", True)
        assert document.document == "report.csv"
        assert server.violations == []


async def test_an_unparsed_call_reaches_the_server_and_still_raises_telegrams_errors() -> None:
    async with LocalBotApiServer(token=TOKEN) as server:
        resident = server.user(502)
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("はい", callback_data="A:1:q:0")]])
        async with bot_at(server.base_url) as bot:
            await call_unparsed(
                bot,
                "sendMessage",
                chat_id=resident.id,
                text="<b>1/4</b>",
                parse_mode="HTML",
                reply_markup=markup,
            )
            [sent] = server.transcript(resident.id)
            same = {"chat_id": resident.id, "message_id": sent.message_id, "text": "<b>1/4</b>"}
            with pytest.raises(BadRequest, match="not modified"):
                await call_unparsed(
                    bot, "editMessageText", **same, parse_mode="HTML", reply_markup=markup
                )
        assert (sent.text, sent.buttons[0][0][0]) == ("1/4", "はい")
        assert server.violations == []


async def test_calls_without_files_go_as_json_with_nested_objects() -> None:
    seen: list[tuple[str, object]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append((request.content_type, await request.json()))
        return web.json_response({"ok": True, "result": True})

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("はい <b>", callback_data="A:1:q:0")]])
    async for base_url in serve(record):
        async with AiohttpRequest() as request:
            bot = Bot(TOKEN, base_url=base_url, request=request)
            await bot.edit_message_reply_markup(42, 7, reply_markup=markup)
    [(content_type, body)] = seen
    assert content_type == "application/json"
    assert body == {
        "chat_id": 42,
        "message_id": 7,
        "reply_markup": {"inline_keyboard": [[{"text": "はい <b>", "callback_data": "A:1:q:0"}]]},
    }


async def test_a_server_that_is_not_there_is_a_network_error() -> None:
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe")


async def test_a_slow_reply_times_out() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    async for base_url in serve(slow):
        async with AiohttpRequest(read_timeout=0.2) as request:
            with pytest.raises(TimedOut):
                await request.post(f"{base_url}{TOKEN}/getMe")


async def test_a_reply_that_is_not_json_is_a_telegram_error() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(text="<html>bad gateway</html>", status=200)

    async for base_url in serve(broken):
        async with AiohttpRequest() as request:
            with pytest.raises(TelegramError, match="Invalid server response"):
                await request.post(f"{base_url}{TOKEN}/getMe")


async def test_a_request_after_shutdown_is_refused_plainly() -> None:
    request = AiohttpRequest()
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/", "POST")
