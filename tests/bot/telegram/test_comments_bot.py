"""A resident's comment through the running bot: stored masked, classified, seen by analysts."""

from __future__ import annotations

from bot.app.comments import pipeline_of
from tests.bot.conftest import BotApp, Player, stored_answers
from tests.builders import NOW

ANALYST = 7001
PHONE_AND_NAME = "保育園が足りなくて子育てが大変です。山田太郎 090-1234-5678 まで連絡ください"
ENGLISH = "The bus to the station is too infrequent, please add more buses."


async def answer_survey(player: Player, comment: str) -> None:
    """Onboard, answer the bundled survey and submit it with this comment."""
    await player.onboard()
    await player.tap("どちらかといえば住みやすい")
    await player.tap("ずっと住み続けたい")
    await player.tap("海と山")
    await player.tap("次へ")
    await player.tap("やや満足")
    await player.say(comment)
    await player.tap("送信する")
    assert "ありがとうございました" in player.last


async def classified(bot_app: BotApp) -> None:
    """Wait for the background classification."""
    pipeline = pipeline_of(bot_app.services)
    assert pipeline is not None, "build_application installs the comment pipeline"
    await pipeline.wait_idle()


async def test_a_residents_comment_is_masked_classified_and_listed(bot_app: BotApp) -> None:
    resident = Player(bot_app, 101)
    await answer_survey(resident, PHONE_AND_NAME)
    await classified(bot_app)
    answers = await stored_answers(bot_app.services, 101, bot_app.wave_id)
    assert answers["comment"] == PHONE_AND_NAME  # the default configuration keeps the original
    async with bot_app.services.uow() as uow:
        [comment] = await uow.comments.by_goal("3")
    assert "【電話番号】" in comment.masked_text and "【氏名】" in comment.masked_text
    assert comment.classified_at == bot_app.clock.now and comment.model_version

    async with bot_app.services.uow() as uow:
        await uow.staff.add(ANALYST, "analyst", NOW)
        await uow.commit()
    analyst = Player(bot_app, ANALYST)
    await analyst.command("/comments 3")
    assert f"#{comment.id}" in analyst.last and "【電話番号】" in analyst.last
    assert "090" not in analyst.last and "山田" not in analyst.last


async def test_raw_comments_are_dropped_when_configured(bot_app: BotApp) -> None:
    services = bot_app.services
    services.settings = services.settings.with_overrides(keep_raw_comments=False)
    await answer_survey(Player(bot_app, 102), PHONE_AND_NAME)
    await classified(bot_app)
    answers = await stored_answers(services, 102, bot_app.wave_id)
    assert "090-1234-5678" not in str(answers["comment"]) and "山田" not in str(answers["comment"])
    assert "【電話番号】" in str(answers["comment"])


async def test_a_foreign_language_comment_reaches_the_review_queue(bot_app: BotApp) -> None:
    await answer_survey(Player(bot_app, 103), ENGLISH)
    await classified(bot_app)
    async with bot_app.services.uow() as uow:
        await uow.staff.add(ANALYST, "analyst", NOW)
        await uow.commit()
    analyst = Player(bot_app, ANALYST)
    await analyst.command("/review")
    assert "言語 en" in analyst.last and "too infrequent" in analyst.last
    await analyst.tap("目標4 安全・安心なまちづくり")
    assert "確認待ちの意見はありません" in analyst.last


async def test_a_comment_the_last_run_never_stored_is_stored_at_the_next_start(
    bot_app: BotApp,
) -> None:
    pipeline = pipeline_of(bot_app.services)
    assert pipeline is not None
    bot_app.services.on_response_submitted.remove(pipeline.on_response_submitted)  # "crashed"
    pipeline.close()
    await answer_survey(Player(bot_app, 103), PHONE_AND_NAME)
    async with bot_app.services.uow() as uow:
        assert await uow.comments.by_goal("3") == []
    await bot_app.restart()
    await classified(bot_app)
    async with bot_app.services.uow() as uow:
        [comment] = await uow.comments.by_goal("3")
    assert "【電話番号】" in comment.masked_text and comment.classified_at is not None
