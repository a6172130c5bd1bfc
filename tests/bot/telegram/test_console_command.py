"""/console in the bot: staff get a one-time link that logs them in; nobody else gets one."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
import pytest

from bot.app.services import Services
from bot.console.app import create_app
from surveys.roles import Role
from tests.bot.conftest import BotApp
from tests.bot.console.conftest import form_field

CONSOLE = "https://console.city.example"
STAFF_ID, RESIDENT_ID, GROUP_ID = 8101, 8102, -1008101


@pytest.fixture(autouse=True)
def console_url(bot_services: Services) -> None:
    """The console's public address, as the operator sets it (Settings.console_url)."""
    bot_services.settings = replace(bot_services.settings, console_url=CONSOLE)


async def _staff(app: BotApp) -> None:
    async with app.services.uow() as uow:
        await uow.staff.add(STAFF_ID, Role.ADMIN, app.services.now())
        await uow.commit()


def _last(app: BotApp, chat_id: int) -> dict[str, object]:
    """The bot's latest message in a chat (raw, to see its options)."""
    sent = [m for m in app.server.chat(chat_id).messages.values() if m["from"].get("is_bot")]
    return sent[-1] if sent else {}


async def test_staff_get_a_link_that_logs_them_in(bot_app: BotApp) -> None:
    await _staff(bot_app)
    bot_app.server.user(STAFF_ID).send_command("/console")
    await bot_app.settle()
    message = _last(bot_app, STAFF_ID)
    found = re.search(rf"{re.escape(CONSOLE)}(/login\?token=\S+)", str(message["text"]))
    assert found, message["text"]
    assert "10分間有効" in str(message["text"])

    app = create_app(bot_app.services, base_url=CONSOLE)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=CONSOLE) as client:
        page = await client.get(found.group(1))
        data = {
            "token": form_field(page.text, "token"),
            "csrf_token": form_field(page.text, "csrf_token"),
        }
        done = await client.post("/login", data=data)
        assert done.status_code == 303 and "Secure" in done.headers["set-cookie"]
        assert f"ID {STAFF_ID}" in (await client.get("/")).text


async def test_a_resident_gets_no_link(bot_app: BotApp) -> None:
    bot_app.server.user(RESIDENT_ID).send_command("/console")
    await bot_app.settle()
    assert "/login?token=" not in str(_last(bot_app, RESIDENT_ID).get("text", ""))


async def test_in_a_group_the_link_is_not_posted(bot_app: BotApp) -> None:
    await _staff(bot_app)
    bot_app.server.group(GROUP_ID)
    bot_app.server.user(STAFF_ID).send_command("/console", chat_id=GROUP_ID)
    await bot_app.settle()
    text = str(_last(bot_app, GROUP_ID).get("text", ""))
    assert "個別チャット" in text and "token=" not in text


async def test_without_a_console_address_staff_are_told_whom_to_ask(bot_app: BotApp) -> None:
    await _staff(bot_app)
    bot_app.services.settings = replace(bot_app.services.settings, console_url=None)
    bot_app.server.user(STAFF_ID).send_command("/console")
    await bot_app.settle()
    text = str(_last(bot_app, STAFF_ID).get("text", ""))
    assert "MACHIKOE_CONSOLE_URL" in text and "token=" not in text
