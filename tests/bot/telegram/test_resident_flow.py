"""A resident from /start to a submitted response, over real HTTP against the local server."""

from __future__ import annotations

from tests.bot.backends import BOTH_BACKENDS
from tests.bot.conftest import BotApp, Player, response_status, stored_answers


@BOTH_BACKENDS
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
    assert "1/4〜5" in hanako.last and "住みやすい" in hanako.last
    await hanako.tap("どちらかといえば住みやすい")
    assert "2/4〜5" in hanako.last
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


@BOTH_BACKENDS
async def test_the_survey_moves_on_in_the_tapped_message_and_an_older_one_keeps_its_answer(
    bot_app: BotApp,
) -> None:
    natsu = Player(bot_app, 102)
    await natsu.onboard()
    question = natsu.resident.last_bot_message
    assert question is not None and "1/4" in question.text
    shown = len(natsu.resident.bot_messages)
    await natsu.tap("住みやすい")
    await natsu.tap("ずっと住み続けたい")
    await natsu.tap("戻る")
    assert "2/4" in natsu.last and "住み続けたいと思いますか" in natsu.last
    await natsu.tap("ずっと住み続けたい")
    moved = natsu.resident.last_bot_message
    assert moved is not None and moved.message_id == question.message_id and moved.edited
    assert "3/5" in moved.text and len(natsu.resident.bot_messages) == shown
    await natsu.command("/start")  # the question again, below: the tapped one is now older
    again = natsu.resident.last_bot_message
    assert again is not None and again.message_id != question.message_id
    await natsu.tap("海と山", question)
    await natsu.tap("次へ", question)
    older = natsu.resident.chat.view(natsu.resident.chat.messages[question.message_id])
    assert older.buttons == () and "→" in older.text and "海と山" in older.text
    assert "4/5" in natsu.last and natsu.resident.last_bot_message.message_id > again.message_id
    await natsu.tap("災害が少なく", again)  # the copy in between is stale now
    stale = natsu.resident.chat.view(natsu.resident.chat.messages[again.message_id])
    assert stale.buttons == () and "4/5" in natsu.last
    answers = await stored_answers(bot_app.services, 102, bot_app.wave_id)
    assert answers["stay_reasons"] == "nature"
    assert bot_app.server.unanswered_callbacks() == []
