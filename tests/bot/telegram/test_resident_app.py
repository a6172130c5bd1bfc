"""The application shell: handlers wired, commands registered, unknown commands answered."""

from __future__ import annotations

from tests.bot.conftest import BotApp


async def test_an_unknown_command_gets_one_polite_line(bot_app: BotApp) -> None:
    resident = bot_app.server.user(5001)
    resident.send_command("/nosuchthing")
    reply = await resident.next_message()
    assert "/help" in reply.text
    assert len(reply.text.splitlines()) == 1


async def test_the_command_list_is_registered_in_japanese_and_english(bot_app: BotApp) -> None:
    english = await bot_app.application.bot.get_my_commands(language_code="en")
    japanese = await bot_app.application.bot.get_my_commands(language_code="ja")
    assert [c.command for c in english][:2] == ["start", "help"]
    assert any(c.description == "Erase your data" for c in english)
    assert any(c.description == "自分のデータを消す" for c in japanese)
