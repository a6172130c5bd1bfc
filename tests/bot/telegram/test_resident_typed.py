"""Typing instead of tapping: a choice by its number or label; anything else, one hint."""

from __future__ import annotations

from tests.bot.conftest import BotApp, Player, stored_answers


async def test_a_choice_typed_as_its_number_or_label_is_stored(bot_app: BotApp) -> None:
    yumi = Player(bot_app, 501)
    await yumi.onboard()
    assert "1/4〜5" in yumi.last
    await yumi.say("２")
    assert "2/4〜5" in yumi.last and "住み続けたいと思いますか" in yumi.last
    await yumi.say("当分は住み続けたい")
    assert "3/5" in yumi.last and "住み続けたい主な理由" in yumi.last
    answers = await stored_answers(bot_app.services, 501, bot_app.wave_id)
    assert answers == {"livability": "somewhat_livable", "residency_intent": "for_now"}


async def test_a_word_that_names_no_choice_gets_one_short_hint(bot_app: BotApp) -> None:
    ken = Player(bot_app, 502)
    await ken.onboard()
    question = ken.resident.last_bot_message
    shown = len(ken.resident.bot_messages)
    await ken.say("まあまあかな")
    assert ken.last == "下のボタンを押すか、答えの番号（1〜5）を送ってください。"
    await ken.say("9")
    assert len(ken.resident.bot_messages) == shown + 2, "hints only, the question not reposted"
    assert question is not None and ken.resident.last_bot_message.message_id > question.message_id
    assert await stored_answers(bot_app.services, 502, bot_app.wave_id) == {}
    await ken.tap("住みやすい", question)
    assert "2/4〜5" in ken.last


async def test_english_residents_type_english_labels(bot_app: BotApp) -> None:
    amy = Player(bot_app, 503, language_code="en")
    await amy.onboard(language="English")
    await amy.say("easy to live in")
    assert "Do you want to keep living in Hitachi?" in amy.last
    await amy.say("maybe")
    assert amy.last == "Tap a button below, or type the number of your answer (1 to 5)."
