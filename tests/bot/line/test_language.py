"""A new LINE friend is greeted in their LINE app's language (the profile), as on Telegram."""

from __future__ import annotations

from tests.bot.line.conftest import LineBot


async def test_an_english_phone_is_greeted_in_english_and_can_still_choose(line: LineBot) -> None:
    emma = line.user()
    emma.language = "en"
    assert await emma.follow() == 200
    assert "This is Machikoe" in emma.messages[0].text
    assert emma.buttons == ["日本語", "English", "やさしい日本語"]
    await emma.tap("やさしい日本語")
    await emma.tap("はい、いいです")
    assert "1/4" in emma.last


async def test_a_japanese_phone_is_greeted_in_japanese(line: LineBot) -> None:
    taro = line.user()
    taro.language = "ja"
    await taro.follow()
    assert "日立市の「まちの声」" in taro.messages[0].text


async def test_a_failing_profile_call_does_not_stop_onboarding(line: LineBot) -> None:
    line.platform.profile_fails = True
    mei = line.user()
    mei.language = "en"
    assert await mei.follow() == 200
    assert "日立市の「まちの声」" in mei.messages[0].text  # no hint: Japanese
    await mei.tap("English")
    await mei.tap("agree")
    assert "1/4" in mei.last


async def test_a_profile_without_a_language_greets_in_japanese(line: LineBot) -> None:
    ken = line.user()
    ken.language = None
    await ken.follow()
    assert "日立市の「まちの声」" in ken.messages[0].text
