"""A LINE resident reads LINE's words: their LINE id, the menu's 回答する / マイデータ / 削除."""

from __future__ import annotations

from tests.bot.line.conftest import LineBot, onboard


async def test_the_consent_names_the_line_id_and_the_menu_items(line: LineBot) -> None:
    aiko = line.user()
    assert await aiko.follow() == 200
    await aiko.tap("日本語")
    consent = aiko.last
    assert "LINEのユーザーIDは回答と別に保管し" in consent
    assert "「マイデータ」で保存内容を確認でき、「削除」でいつでも" in consent
    assert "Telegram" not in consent and "/mydata" not in consent


async def test_my_data_and_stop_speak_of_line_in_english_too(line: LineBot) -> None:
    tom = line.user()
    assert await tom.follow() == 200
    await tom.tap("English")
    assert "Your LINE user id is stored separately" in tom.last
    assert "“my data” shows what is stored" in tom.last
    await tom.tap("I agree")
    await tom.say("my data")
    shown = "".join(message.text for message in tom.messages[-3:])
    assert "not your LINE user id" in shown and "Telegram" not in shown
    await tom.say("stop")
    assert "Send “answer” to resume" in tom.last


async def test_a_declined_consent_tells_how_to_start_again_on_line(line: LineBot) -> None:
    ken = line.user()
    assert await ken.follow() == 200
    await ken.tap("やさしい日本語")
    await ken.tap("いいえ")
    assert "「回答する」 を おくって" in ken.last and "/start" not in ken.last


async def test_after_onboarding_my_data_names_the_line_id(line: LineBot) -> None:
    yumi = line.user()
    await onboard(yumi)
    await yumi.say("マイデータ")
    shown = "".join(message.text for message in yumi.messages[-3:])
    assert "LINEのユーザーIDではなく仮名" in shown and "「削除」ですべて消去" in shown
