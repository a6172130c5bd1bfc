"""Residents play the whole survey on LINE, through the platform stand-in."""

from __future__ import annotations

from tests.bot.backends import BOTH_BACKENDS
from tests.bot.line.conftest import LineBot, answers_of, contact_of, onboard, response_of


@BOTH_BACKENDS
async def test_a_resident_answers_the_whole_survey_on_line(line: LineBot) -> None:
    hanako = line.user()
    assert await hanako.follow() == 200
    assert "まちの声" in hanako.messages[0].text
    assert hanako.buttons == ["日本語", "English", "やさしい日本語"]
    await hanako.tap("日本語")
    assert "目的" in hanako.last
    await hanako.tap("同意する")
    assert "1/4" in hanako.last
    for label in ("30代", "女性", "十王地区", "10〜19年"):
        await hanako.tap(label)
    assert "1/4〜5" in hanako.last and "住みやすい" in hanako.last
    await hanako.say("まあまあかな")  # names no choice: one short hint
    assert "番号" in hanako.last
    await hanako.say("２")  # a choice typed as its number
    assert "2/4〜5" in hanako.last
    await hanako.tap("戻る")
    assert "1/4〜5" in hanako.last
    await hanako.tap("どちらかといえば住みやすい")
    await hanako.tap("ずっと住み続けたい")
    assert "3/5" in hanako.last
    await hanako.tap("海と山")
    await hanako.tap("家族・親族")
    assert sum("✓" in label for label in hanako.buttons) == 2
    await hanako.tap("次へ")
    assert "4/5" in hanako.last
    await hanako.tap("やや満足")
    assert "5/5" in hanako.last
    await hanako.say("BRTの本数を <増やして> & 駅前を明るく 🌸")
    assert "回答の確認" in hanako.last
    assert "<増やして> & 駅前を明るく 🌸" in hanako.last  # unescaped, not HTML
    await hanako.tap("変更: 1.")
    assert "住みやすいまち" in hanako.last
    await hanako.tap("住みにくい")
    assert "回答の確認" in hanako.last and "住みにくい" in hanako.last
    await hanako.tap("送信する")
    assert "ありがとうございました" in hanako.last
    assert await answers_of(line.services, hanako.user_id, line.wave_id) == {
        "livability": "unlivable",
        "residency_intent": "always",
        "stay_reasons": "nature;family",
        "transport_satisfaction": "somewhat_satisfied",
        "comment": "BRTの本数を <増やして> & 駅前を明るく 🌸",
    }
    assert await response_of(line.services, hanako.user_id, line.wave_id) == ("complete", "line")
    contact = await contact_of(line.services, hanako.user_id)
    assert contact is not None and contact.channel == "line" and contact.chat_id is None
    assert {message.how for message in hanako.messages} == {"reply"}  # answers never pushed
    await hanako.say("回答する")
    assert "すでにご回答" in hanako.last


async def test_keywords_show_my_data_and_stop_invitations(line: LineBot) -> None:
    yumi = line.user()
    await onboard(yumi)
    await yumi.say("マイデータ")
    assert "30代" in yumi.last or "30代" in "".join(m.text for m in yumi.messages[-3:])
    await yumi.say("配信停止")
    contact = await contact_of(line.services, yumi.user_id)
    assert contact is not None and not contact.subscribed
    await yumi.say("回答する")
    contact = await contact_of(line.services, yumi.user_id)
    assert contact is not None and contact.subscribed


async def test_unfollow_unsubscribes_and_a_new_follow_continues(line: LineBot) -> None:
    ken = line.user()
    await onboard(ken)
    await ken.tap("住みやすい")
    assert await ken.unfollow() == 200
    contact = await contact_of(line.services, ken.user_id)
    assert contact is not None and not contact.subscribed and contact.blocked_at is not None
    await ken.follow()
    assert "2/4〜5" in ken.last  # where they were
    contact = await contact_of(line.services, ken.user_id)
    assert contact is not None and contact.subscribed


async def test_a_sticker_gets_a_polite_reask(line: LineBot) -> None:
    amy = line.user()
    await onboard(amy)
    question = amy.last
    await amy.sticker()
    assert amy.last and amy.last != ""
    assert await answers_of(line.services, amy.user_id, line.wave_id) == {}
    assert question
