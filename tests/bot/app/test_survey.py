"""Answering, multi toggles, back, the review, submit, stale and repeated taps: the core alone."""

from __future__ import annotations

from bot.app.conversation.screens import Placement
from surveys.status import ResponseStatus
from tests.bot.app.conftest import Core, Talk
from tests.bot.conftest import response_status, stored_answers


async def test_a_tapped_answer_is_stored_and_the_next_question_takes_its_place(
    core: Core,
) -> None:
    taro = Talk(core, 2001)
    await taro.onboard()
    reply = await taro.tap("住みやすい")
    assert reply.placement is Placement.IN_PLACE and len(reply.screens) == 1
    assert reply.answered is not None and "→ <b>住みやすい</b>" in reply.answered
    assert "2/4〜5" in taro.last and "住み続けたいと思いますか" in taro.last
    assert await stored_answers(core.services, 2001, core.wave_id) == {"livability": "livable"}


async def test_multi_choices_toggle_in_the_buttons_and_next_stores_them(core: Core) -> None:
    taro = Talk(core, 2002)
    await taro.onboard()
    await taro.tap("住みやすい")
    await taro.tap("市外に移りたい")
    question = taro.last_screen
    reply = await taro.tap("働く場所")
    assert reply.placement is Placement.KEYBOARD and reply.screens[0].text == ""
    await taro.tap("住まい")
    assert sum(label.startswith("✓ ") for label in taro.buttons) == 2
    await taro.tap("住まい")
    assert sum(label.startswith("✓ ") for label in taro.buttons) == 1
    assert taro.last_screen is not None and taro.last_screen.text == question.text
    assert "leave_reasons" not in await stored_answers(core.services, 2002, core.wave_id)
    await taro.tap("次へ")
    answers = await stored_answers(core.services, 2002, core.wave_id)
    assert answers["leave_reasons"] == "work" and "交通" in taro.last


async def test_ticking_more_than_allowed_is_refused_with_a_toast(core: Core) -> None:
    jiro = Talk(core, 2003)
    await jiro.onboard()
    await jiro.tap("住みやすい")
    await jiro.tap("ずっと住み続けたい")
    for label in ("買い物が便利", "子育てしやすい", "自然が豊か"):
        await jiro.tap(label)
    reply = await jiro.tap("家族・親族")
    assert reply.toast is not None and "3" in reply.toast and reply.screens == ()
    assert sum(label.startswith("✓ ") for label in jiro.buttons) == 3


async def test_back_reopens_the_previous_question_with_the_earlier_answer_ticked(
    core: Core,
) -> None:
    taro = Talk(core, 2004)
    await taro.onboard()
    await taro.tap("住みやすい")
    reply = await taro.tap("戻る")
    assert reply.placement is Placement.IN_PLACE
    assert "1/4〜5" in taro.last and "✓ 住みやすい" in taro.buttons
    assert await stored_answers(core.services, 2004, core.wave_id) == {}


async def finish(talk: Talk) -> None:
    await talk.onboard()
    await talk.tap("住みやすい")
    await talk.tap("当分は住み続けたい")
    await talk.tap("家族・親族")
    await talk.tap("次へ")
    await talk.tap("満足")
    await talk.tap("回答しない")


async def test_the_review_changes_one_answer_and_submits_once(core: Core) -> None:
    kumi = Talk(core, 2005)
    await finish(kumi)
    assert "回答の確認" in kumi.last and "（回答なし）" in kumi.last
    review = kumi.last_screen
    await kumi.tap("変更: 1.")
    assert "日立市は住みやすいまち" in kumi.last and "✓ 住みやすい" in kumi.buttons
    await kumi.tap("住みにくい")
    assert "回答の確認" in kumi.last and "住みにくい" in kumi.last
    assert await response_status(core.services, 2005, core.wave_id) == ResponseStatus.PARTIAL
    reply = await kumi.tap("送信する")
    assert reply.closes and "ありがとう" in reply.screens[0].text
    assert await response_status(core.services, 2005, core.wave_id) == ResponseStatus.COMPLETE
    assert review is not None
    again = await kumi.tap("送信する", review)
    assert again.once and "すでにご回答" in again.screens[0].text
    assert await response_status(core.services, 2005, core.wave_id) == ResponseStatus.COMPLETE


async def test_a_tap_on_an_old_question_is_stale_and_shows_the_current_step(core: Core) -> None:
    taro = Talk(core, 2006)
    await taro.onboard()
    first = taro.last_screen
    await taro.tap("住みやすい")
    assert first is not None
    reply = await taro.tap("住みにくい", first)
    assert reply.stale and "2/4〜5" in reply.screens[0].text
    assert await stored_answers(core.services, 2006, core.wave_id) == {"livability": "livable"}


async def test_a_survey_tap_with_an_unfinished_profile_asks_the_missing_profile_question(
    core: Core,
) -> None:
    taro = Talk(core, 2010)
    await taro.onboard()
    services = core.services
    async with services.uow() as uow:  # the district is gone (as if never given)
        respondent = await uow.respondents.get_by_key(services.respondent_key(2010))
        assert respondent is not None
        await uow.begin_write()
        await uow.profiles.update(respondent.id, district=None)
        await uow.commit()
    reply = await taro.tap("住みやすい")
    assert reply.stale and len(reply.screens) == 1
    assert "十王地区" in [b.label for row in reply.screens[0].rows for b in row]
    assert await stored_answers(core.services, 2010, core.wave_id) == {}


async def test_an_answered_wave_says_so_on_start(core: Core) -> None:
    kumi = Talk(core, 2007)
    await finish(kumi)
    await kumi.tap("送信する")
    reply = await kumi.start()
    assert "2025 夏" in reply.screens[0].text and not reply.screens[0].rows
