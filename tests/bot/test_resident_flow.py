"""A resident from /start to a submitted response, over real HTTP against the local server."""

from __future__ import annotations

from tests.bot.conftest import BotApp, Player, response_status, stored_answers


async def test_a_full_cooperative_run_in_japanese(bot_app: BotApp) -> None:
    submitted: list[int] = []

    async def remember(response_id: int) -> None:
        submitted.append(response_id)

    bot_app.services.on_response_submitted.append(remember)
    hanako = Player(bot_app, 101)
    await hanako.command("/start")
    assert "まちの声" in hanako.resident.bot_messages[0].text
    assert hanako.buttons == ["日本語", "English", "やさしい日本語"]
    await hanako.tap("日本語")
    assert "目的" in hanako.last and "/delete" in hanako.last and "/mydata" in hanako.last
    await hanako.tap("同意する")
    assert "1/4" in hanako.last
    for label in ("30代", "女性", "十王地区", "10〜19年"):
        await hanako.tap(label)
    assert "1/4" in hanako.last and "住みやすい" in hanako.last
    await hanako.tap("どちらかといえば住みやすい")
    assert "2/4" in hanako.last
    await hanako.tap("ずっと住み続けたい")
    assert "3/5" in hanako.last and "✓" not in "".join(hanako.buttons)
    await hanako.tap("海と山")
    await hanako.tap("家族・親族")
    assert sum("✓" in b for b in hanako.buttons) == 2
    await hanako.tap("次へ")
    assert "4/5" in hanako.last
    await hanako.tap("やや満足")
    assert "5/5" in hanako.last
    await hanako.say("BRTの本数を <増やして> & 駅前を明るく 🌸")
    assert "回答の確認" in hanako.last
    assert "<増やして> & 駅前を明るく 🌸" in hanako.last
    await hanako.tap("送信する")
    assert "ありがとうございました" in hanako.last
    answers = await stored_answers(bot_app.services, 101, bot_app.wave_id)
    assert answers == {
        "livability": "somewhat_livable",
        "residency_intent": "always",
        "stay_reasons": "nature;family",
        "transport_satisfaction": "somewhat_satisfied",
        "comment": "BRTの本数を <増やして> & 駅前を明るく 🌸",
    }
    assert await response_status(bot_app.services, 101, bot_app.wave_id) == "complete"
    assert len(submitted) == 1
    await hanako.command("/start")
    assert "すでにご回答" in hanako.last
    assert bot_app.server.unanswered_callbacks() == []
