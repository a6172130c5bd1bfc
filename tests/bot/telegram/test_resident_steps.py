"""Going back, changing answers, pausing across restarts, double taps, stale buttons."""

from __future__ import annotations

import asyncio

from tests.bot.backends import BOTH_BACKENDS
from tests.bot.conftest import BotApp, Player, response_status, stored_answers


@BOTH_BACKENDS
async def test_going_back_and_changing_an_answer_drops_what_skip_logic_no_longer_reaches(
    bot_app: BotApp,
) -> None:
    taro = Player(bot_app, 201)
    await taro.onboard()
    await taro.tap("住みやすい")
    await taro.tap("市外に移りたい")
    assert "移りたい主な理由" in taro.last
    await taro.tap("働く場所")
    await taro.tap("次へ")
    assert (await stored_answers(bot_app.services, 201, bot_app.wave_id))["leave_reasons"] == "work"
    await taro.tap("戻る")
    assert "移りたい主な理由" in taro.last and "✓ 働く場所・仕事が少ない" in taro.buttons
    await taro.tap("戻る")
    assert "住み続けたいと思いますか" in taro.last
    await taro.tap("当分は住み続けたい")
    assert "住み続けたい主な理由" in taro.last
    answers = await stored_answers(bot_app.services, 201, bot_app.wave_id)
    assert "leave_reasons" not in answers and answers["residency_intent"] == "for_now"
    await taro.tap("家族・親族")
    await taro.tap("次へ")
    await taro.tap("満足")
    await taro.tap("回答しない")
    assert "回答の確認" in taro.last and "（回答なし）" in taro.last
    await taro.tap("変更: 1.")
    assert "日立市は住みやすいまち" in taro.last
    await taro.tap("住みにくい")
    assert "回答の確認" in taro.last and "住みにくい" in taro.last
    await taro.tap("送信する")
    answers = await stored_answers(bot_app.services, 201, bot_app.wave_id)
    assert answers["livability"] == "unlivable" and answers["comment"] is None
    assert await response_status(bot_app.services, 201, bot_app.wave_id) == "complete"


async def test_a_paused_resident_continues_at_the_same_question_after_a_restart(
    bot_app: BotApp,
) -> None:
    jiro = Player(bot_app, 202)
    await jiro.onboard()
    await jiro.tap("住みやすい")
    await jiro.tap("ずっと住み続けたい")
    await jiro.tap("買い物が便利")
    toggled = jiro.resident.last_bot_message
    await bot_app.restart()
    await jiro.tap("子育てしやすい", toggled)
    assert sum("✓" in b for b in jiro.buttons) == 2
    await jiro.command("/start")
    assert "住み続けたい主な理由" in jiro.last and "3/5" in jiro.last
    await jiro.tap("次へ", toggled)
    answers = await stored_answers(bot_app.services, 202, bot_app.wave_id)
    assert answers["stay_reasons"] == "childcare;shopping"
    assert "4/5" in jiro.last


@BOTH_BACKENDS
async def test_double_taps_and_stale_buttons_never_store_twice(bot_app: BotApp) -> None:
    saburo = Player(bot_app, 203)
    await saburo.onboard()
    first = saburo.resident.last_bot_message
    assert first is not None
    data = next(d for row in first.buttons for t, d in row if t == "住みやすい")
    shown = len(saburo.resident.bot_messages)
    saburo.resident.tap_data(first, data)
    saburo.resident.tap_data(first, data)
    await saburo.settle()
    assert "2/4" in saburo.last
    assert len(saburo.resident.bot_messages) == shown, "the second tap showed nothing twice"
    second = saburo.resident.last_bot_message
    await saburo.tap("ずっと住み続けたい")
    old = next(d for row in first.buttons for t, d in row if t == "住みにくい")
    saburo.resident.tap_data(first, old)
    await saburo.settle()
    answers = await stored_answers(bot_app.services, 203, bot_app.wave_id)
    assert answers["livability"] == "livable"
    assert "3/5" in saburo.last
    assert second is not None
    again = next(d for row in second.buttons for t, d in row if t == "市外に移りたい")
    saburo.resident.tap_data(second, again)
    await saburo.settle()
    answers = await stored_answers(bot_app.services, 203, bot_app.wave_id)
    assert answers["residency_intent"] == "always" and "leave_reasons" not in answers
    assert "3/5" in saburo.last
    assert len(saburo.resident.bot_messages) == shown
    assert bot_app.server.unanswered_callbacks() == []


@BOTH_BACKENDS
async def test_a_double_tap_on_submit_submits_once(bot_app: BotApp) -> None:
    calls: list[int] = []

    async def count(response_id: int) -> None:
        calls.append(response_id)

    bot_app.services.on_response_submitted.append(count)
    shiro = Player(bot_app, 204)
    await shiro.onboard()
    for label in ("住みやすい", "わからない", "満足", "回答しない"):
        await shiro.tap(label)
    review = shiro.resident.last_bot_message
    assert review is not None
    submit = next(d for row in review.buttons for t, d in row if t == "送信する")
    shiro.resident.tap_data(review, submit)
    shiro.resident.tap_data(review, submit)
    await shiro.settle()
    assert calls and len(calls) == 1
    assert sum("ありがとうございました" in m.text for m in shiro.resident.bot_messages) == 1
    assert bot_app.server.unanswered_callbacks() == []


async def test_thirty_residents_at_once_each_get_their_own_complete_response(
    bot_app: BotApp,
) -> None:
    players = [Player(bot_app, 3000 + n) for n in range(30)]

    async def run(player: Player) -> None:
        resident = player.resident
        resident.send_command("/start")
        await resident.wait_for_text("Choose your language")
        for label, expect in (
            ("日本語", "同意いただけますか"),
            ("同意する", "1/4"),
            ("40代", "2/4"),
            ("男性", "3/4"),
            ("十王地区", "4/4"),
            ("20年以上", "日立市は住みやすい"),
            ("住みやすい", "2/4"),
            ("わからない", "3/4"),
            ("不満", "4/4"),
        ):
            resident.tap(label)
            await resident.wait_for_text(expect, timeout=30)
        resident.send_text(f"意見 {resident.id} <b>")
        await resident.wait_for_text("回答の確認", timeout=30)
        resident.tap("送信する")
        await resident.wait_for_text("ありがとうございました", timeout=30)

    await asyncio.gather(*(run(player) for player in players))
    await bot_app.settle()
    for player in players:
        answers = await stored_answers(bot_app.services, player.resident.id, bot_app.wave_id)
        assert answers["comment"] == f"意見 {player.resident.id} <b>"
        assert len(answers) == 4
    assert bot_app.server.unanswered_callbacks() == []
