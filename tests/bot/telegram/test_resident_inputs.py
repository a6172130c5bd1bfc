"""Invalid inputs of every kind, consent declined, /delete, English, HTML-looking text."""

from __future__ import annotations

from sqlalchemy import text

from tests.bot.conftest import BotApp, Player, stored_answers
from tests.builders import open_checks_wave


async def test_every_invalid_input_gets_a_polite_re_ask_and_nothing_stored(
    bot_app: BotApp,
) -> None:
    wave_id = await open_checks_wave(bot_app.services, bot_app.wave_id)
    kumi = Player(bot_app, 401)
    await kumi.onboard()
    assert "1/3" in kumi.last and "世帯の人数" in kumi.last
    await kumi.say("たくさん")
    assert "数字で入力してください" in kumi.last and "1から20まで" in kumi.last
    await kumi.say("25")
    assert "1から20まで" in kumi.last
    kumi.resident.send_sticker()
    await kumi.settle()
    assert "スタンプ" in kumi.last
    kumi.resident.send_photo()
    await kumi.settle()
    assert "写真" in kumi.last
    assert await stored_answers(bot_app.services, 401, wave_id) == {}
    await kumi.say("３")
    assert "2/3" in kumi.last
    await kumi.say("とても長いニックネームです")
    assert "長すぎます" in kumi.last and "10文字以内" in kumi.last
    await kumi.say("   ")
    await kumi.say("<b>&🌸")
    assert "3/3" in kumi.last
    shown = len(kumi.resident.bot_messages)
    await kumi.say("まあまあ")
    assert kumi.last == "下のボタンを押すか、答えの番号（1〜2）を送ってください。"
    assert len(kumi.resident.bot_messages) == shown + 1, "one hint, the question not reposted"
    await kumi.say("よい")
    assert "回答の確認" in kumi.last
    await kumi.say("まだ何か")
    assert kumi.last == "下のボタンから選んでください。"
    assert await stored_answers(bot_app.services, 401, wave_id) == {
        "household": "3",
        "nickname": "<b>&🌸",
        "mood": "good",
    }


async def test_declining_consent_stores_only_the_refusal(bot_app: BotApp) -> None:
    ken = Player(bot_app, 402)
    await ken.command("/start")
    await ken.tap("日本語")
    await ken.tap("同意しない")
    assert "同意されなかったことだけ" in ken.last
    async with bot_app.services.uow() as uow:
        respondent = await uow.respondents.get_by_key(bot_app.services.respondent_key(402))
        assert respondent is not None and respondent.consent == "declined"
        assert await uow.contacts.get(respondent.id) is None
        assert not any((await uow.profiles.get(respondent.id)).values())
        assert await uow.responses.for_respondent(respondent.id) == []
    await ken.say("こんにちは")
    assert "同意が必要" in ken.last


async def test_delete_erases_every_row_about_the_resident(bot_app: BotApp) -> None:
    mai = Player(bot_app, 403)
    await mai.onboard()
    await mai.tap("住みやすい")
    await mai.command("/mydata")
    summary = mai.resident.bot_messages[-2].text
    assert "同意済み" in summary and "年代: 30代" in summary and "回答途中" in mai.last
    await mai.command("/delete")
    assert "元に戻せません" in mai.last
    await mai.tap("すべて消去する")
    assert "すべて消去しました" in mai.last
    key = bot_app.services.respondent_key(403)
    async with bot_app.services.uow() as uow:
        counts = {
            table: (await uow.session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar()
            for table in ("respondents", "contacts", "profiles", "responses", "answers")
        }
        assert await uow.respondents.get_by_key(key) is None
    assert counts == dict.fromkeys(counts, 0)
    await mai.command("/mydata")
    assert "保存している情報はありません" in mai.last


async def test_an_english_run_from_start_to_thanks(bot_app: BotApp) -> None:
    amy = Player(bot_app, 404, language_code="en")
    await amy.onboard(language="English")
    assert "1/4" in amy.last and "good place to live" in amy.last
    for label in ("Easy to live in", "Not sure", "Satisfied"):
        await amy.tap(label)
    await amy.say("More BRT buses & <later> trains 🚌")
    assert "Your answers" in amy.last and "More BRT buses & <later> trains 🚌" in amy.last
    await amy.tap("Submit")
    assert "Thank you for your answers" in amy.last
    await amy.command("/help")
    assert "/delete" in amy.last and "erase" in amy.last
