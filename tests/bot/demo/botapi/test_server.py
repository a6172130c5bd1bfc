"""The local Bot API server over raw HTTP: Telegram's update, message and callback semantics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.demo.botapi import ApiError, LocalBotApiServer


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApiServer]:
    """A running server."""
    async with LocalBotApiServer() as running:
        yield running


async def api(server: LocalBotApiServer, method: str, **params: Any) -> dict[str, Any]:
    """Call a Bot API method with a JSON body and return the decoded response."""
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{server.base_url}{server.token}/{method}", json=params)
    body = response.json()
    assert body.get("error_code", 200) == response.status_code
    return body


async def test_get_updates_confirms_by_offset(server: LocalBotApiServer) -> None:
    resident = server.user(1)
    resident.send_text("一")
    resident.send_text("二")
    first = (await api(server, "getUpdates"))["result"]
    assert [u["message"]["text"] for u in first] == ["一", "二"]
    again = (await api(server, "getUpdates", offset=first[0]["update_id"] + 1))["result"]
    assert [u["message"]["text"] for u in again] == ["二"]
    assert (await api(server, "getUpdates", offset=again[0]["update_id"] + 1))["result"] == []


async def test_a_long_poll_returns_as_soon_as_a_resident_writes(server: LocalBotApiServer) -> None:
    poll = asyncio.create_task(api(server, "getUpdates", timeout=10))
    await asyncio.sleep(0.05)
    server.user(2).send_command("/start")
    updates = (await asyncio.wait_for(poll, 5))["result"]
    entity = updates[0]["message"]["entities"][0]
    assert entity == {"type": "bot_command", "offset": 0, "length": 6}


async def test_get_updates_conflicts_with_an_active_webhook(server: LocalBotApiServer) -> None:
    await api(server, "setWebhook", url="http://127.0.0.1:9/hook")
    body = await api(server, "getUpdates")
    assert body["error_code"] == 409
    await api(server, "deleteWebhook")
    assert (await api(server, "getUpdates"))["ok"]


async def test_edits_and_deletes_show_in_the_transcript(server: LocalBotApiServer) -> None:
    resident = server.user(3)
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    sent = (await api(server, "sendMessage", chat_id=3, text="質問", reply_markup=keyboard))[
        "result"
    ]
    other = (await api(server, "sendMessage", chat_id=3, text="消す"))["result"]
    await api(server, "editMessageText", chat_id=3, message_id=sent["message_id"], text="回答済み")
    await api(server, "deleteMessage", chat_id=3, message_id=other["message_id"])
    [message] = resident.messages
    assert (message.text, message.edited, message.buttons) == ("回答済み", True, ())
    gone = await api(server, "deleteMessage", chat_id=3, message_id=other["message_id"])
    assert gone["description"] == "Bad Request: message to delete not found"
    missing = await api(server, "editMessageText", chat_id=3, message_id=99, text="x")
    assert missing["description"] == "Bad Request: message to edit not found"


async def test_a_callback_can_be_answered_once_and_spinning_ones_are_listed(
    server: LocalBotApiServer,
) -> None:
    resident = server.user(4)
    keyboard = {"inline_keyboard": [[{"text": "はい", "callback_data": "y"}]]}
    await api(server, "sendMessage", chat_id=4, text="?", reply_markup=keyboard)
    old = resident.last_bot_message
    assert old is not None
    resident.tap("はい")
    resident.tap("はい", message=old)
    first, second = server.unanswered_callbacks()
    assert (await api(server, "answerCallbackQuery", callback_query_id=first.callback_query_id))[
        "ok"
    ]
    again = await api(server, "answerCallbackQuery", callback_query_id=first.callback_query_id)
    assert "query is too old" in again["description"]
    assert server.unanswered_callbacks() == [second]


async def test_a_message_to_an_unknown_chat_is_refused(server: LocalBotApiServer) -> None:
    body = await api(server, "sendMessage", chat_id=424242, text="hi")
    assert body["description"] == "Bad Request: chat not found"


async def test_a_wrong_token_is_unauthorized(server: LocalBotApiServer) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{server.base_url}999:WRONG/getMe")
    assert response.status_code == 401


async def test_the_global_flood_limit_answers_429_with_retry_after() -> None:
    async with LocalBotApiServer(global_rate_limit=3) as server:
        for user_id in range(5):
            server.user(user_id)
        bodies = [await api(server, "sendMessage", chat_id=n, text="招待") for n in range(5)]
    assert [body["ok"] for body in bodies] == [True, True, True, False, False]
    assert bodies[3]["parameters"] == {"retry_after": 1}
    assert bodies[3]["description"] == "Too Many Requests: retry after 1"


async def test_injected_faults_are_answered_once(server: LocalBotApiServer) -> None:
    server.user(5)
    server.fail_next("sendMessage", ApiError(502, "Bad Gateway"))
    assert (await api(server, "sendMessage", chat_id=5, text="a"))["error_code"] == 502
    assert (await api(server, "sendMessage", chat_id=5, text="a"))["ok"]


async def test_violations_are_recorded(server: LocalBotApiServer) -> None:
    server.user(6)
    await api(server, "sendMessage", chat_id=6, text="a & b", parse_mode="HTML")
    assert [v.kind for v in server.violations] == ["parse_entities"]


async def test_an_edited_message_and_media_reach_the_bot(server: LocalBotApiServer) -> None:
    resident = server.user(7)
    resident.send_text("誤字")
    resident.edit_last_text("修正")
    resident.send_sticker()
    resident.send_photo()
    updates = (await api(server, "getUpdates"))["result"]
    assert updates[1]["edited_message"]["text"] == "修正"
    assert "sticker" in updates[2]["message"]
    file_id = updates[3]["message"]["photo"][0]["file_id"]
    path = (await api(server, "getFile", file_id=file_id))["result"]["file_path"]
    async with httpx.AsyncClient() as http:
        download = await http.get(f"{server.file_base_url}{server.token}/{path}")
    assert download.content.startswith(b"\x89PNG")


async def test_the_web_chat_client_api_sends_taps_and_long_polls(
    server: LocalBotApiServer,
) -> None:
    async with httpx.AsyncClient(base_url=server.client_url) as http:
        user = (await http.post("/users", json={"first_name": "ブラウザ"})).json()["user"]
        chat = f"/chats/{user['id']}"
        assert (await http.post(f"{chat}/send", json={"text": "/start"})).json()["ok"]
        view = (await http.get(f"{chat}/messages", params={"timeout": 0})).json()
        poll = asyncio.create_task(
            http.get(f"{chat}/messages", params={"after": view["version"], "timeout": 10})
        )
        keyboard = {"inline_keyboard": [[{"text": "日本語", "callback_data": "lang:ja"}]]}
        await api(server, "sendMessage", chat_id=user["id"], text="言語", reply_markup=keyboard)
        latest = (await asyncio.wait_for(poll, 5)).json()
        question = latest["messages"][-1]
        assert question["from"] == "bot"
        assert question["buttons"] == [[{"text": "日本語", "callback_data": "lang:ja"}]]
        tap = {"message_id": question["message_id"], "callback_data": "lang:ja"}
        assert (await http.post(f"{chat}/tap", json=tap)).json()["ok"]
    updates = (await api(server, "getUpdates"))["result"]
    assert updates[-1]["callback_query"]["data"] == "lang:ja"
    assert [u["update_id"] for u in updates] == sorted(u["update_id"] for u in updates)
