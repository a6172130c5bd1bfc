"""Typed numbers, text and choices: stored, or re-asked in one line; the core alone."""

from __future__ import annotations

from tests.bot.app.conftest import Core, Talk
from tests.bot.conftest import stored_answers
from tests.builders import open_checks_wave


async def test_a_number_out_of_range_or_not_a_number_is_re_asked(core: Core) -> None:
    wave_id = await open_checks_wave(core.services, core.wave_id)
    kumi = Talk(core, 3001)
    await kumi.onboard()
    assert "1/3" in kumi.last and "世帯の人数" in kumi.last
    await kumi.say("たくさん")
    assert "数字で入力してください" in kumi.last and "1から20まで" in kumi.last
    await kumi.say("25")
    assert "1から20まで" in kumi.last
    assert await stored_answers(core.services, 3001, wave_id) == {}
    await kumi.say("３")
    assert "2/3" in kumi.last
    assert await stored_answers(core.services, 3001, wave_id) == {"household": "3"}


async def test_a_text_too_long_is_re_asked_and_html_is_stored_as_typed(core: Core) -> None:
    wave_id = await open_checks_wave(core.services, core.wave_id)
    kumi = Talk(core, 3002)
    await kumi.onboard()
    await kumi.say("4")
    await kumi.say("とても長いニックネームです")
    assert "長すぎます" in kumi.last and "10文字以内" in kumi.last
    await kumi.say("<b>&🌸")
    assert "3/3" in kumi.last
    answers = await stored_answers(core.services, 3002, wave_id)
    assert answers == {"household": "4", "nickname": "<b>&🌸"}


async def test_a_choice_typed_by_number_is_stored_and_a_stray_word_gets_a_hint(
    core: Core,
) -> None:
    yumi = Talk(core, 3003)
    await yumi.onboard()
    reply = await yumi.say("まあまあかな")
    assert reply.screens[0].text == "下のボタンを押すか、答えの番号（1〜5）を送ってください。"
    await yumi.say("２")
    assert "2/4〜5" in yumi.last
    answers = await stored_answers(core.services, 3003, core.wave_id)
    assert answers == {"livability": "somewhat_livable"}


async def test_typing_before_the_profile_is_done_says_to_tap(core: Core) -> None:
    mio = Talk(core, 3004)
    await mio.start()
    await mio.tap("日本語")
    await mio.tap("同意する")
    reply = await mio.say("30代です")
    assert len(reply.screens) >= 2 and "1/4" in reply.screens[-1].text
