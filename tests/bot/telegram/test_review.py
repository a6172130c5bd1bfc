"""Analysts' /review and /comments in the running bot."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import CommentLabel
from tests.bot.backends import BOTH_BACKENDS
from tests.bot.conftest import BotApp

ANALYST = 7001
ADMIN = 7002
RESIDENT = 5001


async def label_rows(app: BotApp, comment_id: int) -> int:
    """How many labels a comment has (every tap that labelled it)."""
    async with app.services.uow() as uow:
        stmt = select(func.count()).where(CommentLabel.comment_id == comment_id)
        return int(await uow.session.scalar(stmt) or 0)


async def queue_ids(app: BotApp) -> list[int]:
    """The review queue, in order."""
    async with app.services.uow() as uow:
        return [c.id for c in await uow.comments.needs_review()]


async def test_review_shows_the_most_unsure_first_and_a_tap_labels_it(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    fairly = await bot_app.add_comment("公園のベンチが古い", confidence=0.45)
    least = await bot_app.add_comment("バスが少ない気がする", confidence=0.12)
    await bot_app.add_comment(
        "保育園を増やして",
        confidence=0.97,
        needs_review=False,
    )
    analyst = bot_app.server.user(ANALYST)

    analyst.send_command("/review")
    first = await analyst.next_message()
    assert f"#{least}" in first.text and "バスが少ない気がする" in first.text
    assert "残り 2 件" in first.text
    analyst.tap("目標4 安全・安心なまちづくり")
    closed = await analyst.wait_for_text(f"✅ #{least}")
    assert closed.buttons == ()
    second = await analyst.next_message()
    assert f"#{fairly}" in second.text and "残り 1 件" in second.text

    async with bot_app.services.uow() as uow:
        [label] = await uow.comments.labeled()
    assert (label.comment_id, label.goals) == (least, ("4",))
    assert label.labeled_by == ANALYST and label.labeled_at == bot_app.clock.now
    assert await queue_ids(bot_app) == [fairly]


@BOTH_BACKENDS
async def test_a_double_tap_or_an_old_message_does_not_label_twice(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    comment_id = await bot_app.add_comment("駅前が寂しい", confidence=0.3)
    analyst = bot_app.server.user(ANALYST)
    analyst.send_command("/review")
    message = await analyst.next_message()
    data = f"rv:{comment_id}:ok:2"
    analyst.tap_data(message, data)
    analyst.tap_data(message, data)
    await bot_app.server.settle()
    analyst.tap_data(message, f"rv:{comment_id}:ok:8")  # later, a different goal on it
    await bot_app.server.settle()

    assert await label_rows(bot_app, comment_id) == 1
    async with bot_app.services.uow() as uow:
        [label] = await uow.comments.labeled()
    assert label.goals == ("2",)
    assert all(tap.answered for m in analyst.messages for tap in m.taps)
    assert "確認待ちの意見はありません" in analyst.last_bot_message.text  # type: ignore[union-attr]


async def test_several_goals_are_toggled_then_confirmed(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN, "admin")
    comment_id = await bot_app.add_comment("子育て世代が住める住宅と仕事を", confidence=0.4)
    admin = bot_app.server.user(ADMIN)
    admin.send_command("/review")
    await admin.next_message()
    admin.tap("複数選択")  # starts from the classifier's guess, goal 3
    await admin.wait_for(lambda m: "☑ 目標3 子育て支援" in m.button_texts)
    admin.tap("☐ 目標1 雇用の確保・創出")
    await admin.wait_for(lambda m: "☑ 目標1 雇用の確保・創出" in m.button_texts)
    admin.tap("☐ 目標2 転入促進・転出抑制")
    await admin.wait_for(lambda m: "☑ 目標2 転入促進・転出抑制" in m.button_texts)
    admin.tap("☑ 目標2 転入促進・転出抑制")  # changed their mind
    await admin.wait_for(lambda m: "☐ 目標2 転入促進・転出抑制" in m.button_texts)
    admin.tap("確定")
    await admin.wait_for_text(f"✅ #{comment_id}")
    async with bot_app.services.uow() as uow:
        [label] = await uow.comments.labeled()
    assert label.goals == ("1", "3")


async def test_the_classifier_guess_is_confirmed_in_one_tap_and_other_is_a_label(
    bot_app: BotApp,
) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    guessed = await bot_app.add_comment("保育料が高い", confidence=0.2, goals=("3",))
    scenery = await bot_app.add_comment("海がきれい", confidence=0.3, goals=("2",))
    analyst = bot_app.server.user(ANALYST)
    analyst.send_command("/review")
    await analyst.next_message()
    analyst.tap("✓ 推定どおり")
    await analyst.next_message()
    analyst.tap("その他")
    await analyst.wait_for_text(f"✅ #{scenery}")
    async with bot_app.services.uow() as uow:
        labels = {label.comment_id: label.goals for label in await uow.comments.labeled()}
    assert labels == {guessed: ("3",), scenery: ("other",)}


async def test_skipped_comments_stay_in_the_queue(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    first = await bot_app.add_comment("よくわからない", confidence=0.1)
    second = await bot_app.add_comment("なんとなく不便", confidence=0.2)
    analyst = bot_app.server.user(ANALYST)
    analyst.send_command("/review")
    assert f"#{first}" in (await analyst.next_message()).text
    analyst.tap("スキップ")
    assert f"#{second}" in (await analyst.next_message()).text
    analyst.tap("スキップ")
    done = await analyst.next_message()
    assert "確認待ちの意見はありません" in done.text and "スキップした 2 件" in done.text
    assert await queue_ids(bot_app) == [first, second]
    analyst.send_command("/review")  # a new pass shows them again
    assert f"#{first}" in (await analyst.next_message()).text


async def test_residents_see_review_commands_as_unknown(bot_app: BotApp) -> None:
    await bot_app.add_comment("山田さんの家の前の道が暗い", confidence=0.1)
    resident = bot_app.server.user(RESIDENT)
    resident.send_command("/review")
    reply = await resident.next_message()
    resident.send_command("/comments 4")
    reply_comments = await resident.next_message()
    resident.send_command("/nosuchthing")
    unknown = await resident.next_message()
    assert reply.text == unknown.text == reply_comments.text
    assert not reply.buttons
    comment_id = (await queue_ids(bot_app))[0]
    resident.tap_data(reply, f"rv:{comment_id}:ok:1")  # a forged tap
    await bot_app.server.settle()
    assert await label_rows(bot_app, comment_id) == 0


async def test_comments_lists_a_goal_newest_first_with_pages(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    ids = [
        await bot_app.add_comment(
            f"保育園の話 その{n}",
            confidence=0.9,
            needs_review=False,
        )
        for n in range(7)
    ]
    await bot_app.add_comment("<b>バス</b>を増やして", confidence=0.8, goals=("4",))
    analyst = bot_app.server.user(ANALYST)
    analyst.send_command("/comments 3")
    page = await analyst.next_message()
    assert "目標3 子育て支援" in page.text and "2025-" in page.text and "確信度 0.90" in page.text
    assert [f"#{i}" in page.text for i in ids] == [False, False, True, True, True, True, True]
    assert page.text.index(f"#{ids[6]}") < page.text.index(f"#{ids[5]}")
    analyst.tap("次へ ▶")
    second = await analyst.wait_for(lambda m: "2 ページ目" in m.text)
    assert second.message_id == page.message_id
    assert f"#{ids[0]}" in second.text and f"#{ids[2]}" not in second.text
    assert "次へ ▶" not in second.button_texts and "◀ 前へ" in second.button_texts

    analyst.send_command("/comments 4")
    buses = await analyst.next_message()
    assert "<b>バス</b>を増やして" in buses.text  # shown as typed, not as markup
    assert "要確認" in buses.text

    analyst.send_command("/comments")
    counts = await analyst.next_message()
    assert (
        "目標3 子育て支援: 7 件" in counts.text
        and "目標4 安全・安心なまちづくり: 1 件" in counts.text
    )
    assert "確認待ち: 1 件" in counts.text

    analyst.send_command("/comments 9")
    assert "1〜4 または その他" in (await analyst.next_message()).text


async def test_a_corrected_comment_is_listed_under_the_analysts_goal(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    comment_id = await bot_app.add_comment("工場の求人がほしい", confidence=0.3, goals=("3",))
    analyst = bot_app.server.user(ANALYST)
    analyst.send_command("/review")
    await analyst.next_message()
    analyst.tap("目標1 雇用の確保・創出")
    await analyst.wait_for_text(f"✅ #{comment_id}")
    assert "確認待ちの意見はありません" in (await analyst.next_message()).text
    analyst.send_command("/comments 1")
    listed = await analyst.next_message()
    assert f"#{comment_id}" in listed.text and "分析者が確認済み" in listed.text
    analyst.send_command("/comments 3")
    assert f"#{comment_id}" not in (await analyst.next_message()).text


async def test_the_review_screen_shows_the_labelling_guide(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    long_letter = "駅前の商店街について。" * 400  # longer than a message may show
    await bot_app.add_comment(long_letter, confidence=0.2)
    analyst = bot_app.server.user(ANALYST)
    analyst.send_command("/review")
    screen = await analyst.next_message()
    guide = screen.text.split("分類の目安")[1]
    for goal in ("目標1 雇用の確保・創出", "目標3 子育て支援", "その他"):
        assert f"\n{goal}: " in guide
    assert "商店街は 1;2" in guide and "口調ではなく話題で決める" in guide
    assert len(screen.text) <= 4096 and "…" in screen.text
