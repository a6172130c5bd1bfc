"""A comment hidden in the console is neither offered by /review nor listed or counted by
/comments in the bot; shown again, it is back in the queue."""

from __future__ import annotations

from storage.repositories.comment_search import CommentSearch
from tests.bot.conftest import BotApp
from tests.builders import NOW

ANALYST = 7001


async def _hide(app: BotApp, comment_id: int) -> None:
    async with app.services.uow() as uow:
        await CommentSearch(uow.session).hide([comment_id], "誹謗中傷", ANALYST, NOW)
        await uow.commit()


async def test_review_and_comments_skip_a_hidden_comment(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    rude = await bot_app.add_comment("担当者はばかだ", confidence=0.1)
    fair = await bot_app.add_comment("保育園を増やしてほしい", confidence=0.4)
    await bot_app.add_comment("学童が足りない", confidence=0.95, needs_review=False)
    await _hide(bot_app, rude)
    analyst = bot_app.server.user(ANALYST)

    analyst.send_command("/review")
    first = await analyst.next_message()
    assert f"#{fair}" in first.text and "残り 1 件" in first.text
    assert "担当者はばかだ" not in first.text

    analyst.send_command("/comments 3")
    listed = await analyst.next_message()
    assert "学童が足りない" in listed.text and "担当者はばかだ" not in listed.text
    analyst.send_command("/comments")
    counts = await analyst.next_message()
    assert "目標3 子育て支援: 2 件" in counts.text and "確認待ち: 1 件" in counts.text


async def test_a_hidden_comment_on_screen_cannot_be_labelled(bot_app: BotApp) -> None:
    await bot_app.add_staff(ANALYST, "analyst")
    rude = await bot_app.add_comment("担当者はばかだ", confidence=0.1)
    analyst = bot_app.server.user(ANALYST)
    analyst.send_command("/review")
    shown = await analyst.next_message()
    assert f"#{rude}" in shown.text
    await _hide(bot_app, rude)  # hidden in the console while the analyst looks at it
    analyst.tap_data(shown, f"rv:{rude}:ok:4")
    await bot_app.server.settle()
    async with bot_app.services.uow() as uow:
        assert await CommentSearch(uow.session).history(rude) == []
