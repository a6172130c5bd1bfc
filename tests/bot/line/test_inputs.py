"""Typed numbers and texts on LINE: the same re-asks as on Telegram, nothing stored until valid."""

from __future__ import annotations

from bot.demo.line_platform import LineUser
from tests.bot.line.conftest import LineBot, answers_of, onboard
from tests.builders import open_checks_wave


async def test_numbers_and_texts_are_re_asked_until_valid(line: LineBot) -> None:
    wave_id = await open_checks_wave(line.services, line.wave_id)
    kumi: LineUser = line.user()
    await onboard(kumi)
    assert "1/3" in kumi.last and "世帯の人数" in kumi.last
    await kumi.say("たくさん")
    assert "数字で入力してください" in kumi.last and "1から20まで" in kumi.last
    await kumi.say("25")
    assert "1から20まで" in kumi.last
    await kumi.sticker()
    assert await answers_of(line.services, kumi.user_id, wave_id) == {}
    await kumi.say("３")
    assert "2/3" in kumi.last
    await kumi.say("とても長いニックネームです")
    assert "長すぎます" in kumi.last and "10文字以内" in kumi.last
    await kumi.say("<b>&🌸")
    assert "3/3" in kumi.last
    await kumi.say("まあまあ")
    assert kumi.last == "下のボタンを押すか、答えの番号（1〜2）を送ってください。"
    await kumi.tap("よい")
    assert "回答の確認" in kumi.last
    await kumi.tap("送信する")
    assert await answers_of(line.services, kumi.user_id, wave_id) == {
        "household": "3",
        "nickname": "<b>&🌸",
        "mood": "good",
    }


async def test_declining_consent_keeps_no_contact(line: LineBot) -> None:
    ken = line.user()
    await ken.follow()
    await ken.tap("日本語")
    await ken.tap("同意しない")
    assert "同意されなかったことだけ" in ken.last
    async with line.services.uow() as uow:
        assert await uow.contacts.by_line_user(ken.user_id) is None
    await ken.say("こんにちは")
    assert "同意が必要" in ken.last
