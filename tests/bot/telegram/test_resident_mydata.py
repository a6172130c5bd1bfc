"""/mydata reads back the resident's own answers per wave, in their language, text masked."""

from __future__ import annotations

from tests.bot.conftest import BotApp, Player


async def test_mydata_lists_each_answer_and_the_profile_in_plain_words(bot_app: BotApp) -> None:
    hana = Player(bot_app, 601)
    await hana.onboard()
    for label in ("住みやすい", "わからない", "満足"):
        await hana.tap(label)
    await hana.say("電話は090-1234-5678です。駅前を明るく")
    shown = len(hana.resident.bot_messages)
    await hana.command("/mydata")
    summary, answers = (m.text for m in hana.resident.bot_messages[shown:])
    assert "年代: 30代 / 性別: 女性 / 地区: 十王地区 / 居住年数: 10〜19年" in summary
    assert "教えてください" not in summary and "1件" in summary
    assert "2025 夏（回答途中）" in answers
    assert "日立市は住みやすいまちだと思いますか。\n　→ 住みやすい" in answers
    assert "これからも日立市に住み続けたいと思いますか。\n　→ わからない" in answers
    assert "【電話番号】" in answers and "駅前を明るく" in answers
    assert "090-1234-5678" not in summary + answers


async def test_mydata_speaks_the_residents_language(bot_app: BotApp) -> None:
    amy = Player(bot_app, 602, language_code="en")
    await amy.onboard(language="English")
    await amy.tap("Easy to live in")
    await amy.command("/mydata")
    summary = amy.resident.bot_messages[-2].text
    assert "Age: 30s / Sex: Female / District: Juo" in summary
    assert "Do you think Hitachi is a good place to live?\n　→ Easy to live in" in amy.last
    assert "2025 夏 (in progress)" in amy.last
