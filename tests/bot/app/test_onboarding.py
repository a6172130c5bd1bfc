"""Welcome, language, consent and profile, driven through the core without HTTP."""

from __future__ import annotations

from bot.app.conversation.onboarding import Command
from bot.app.conversation.resident import Channel, Resident, line_pseudonym, respondent_key
from storage.db import pseudonym
from surveys.status import Consent
from tests.bot.app.conftest import Core, Talk


async def respondent_consent(core: Core, talk: Talk) -> str | None:
    async with core.conversation.uow() as uow:
        found = await core.conversation.respondent(uow, talk.resident)
    return found.consent if found is not None else None


async def test_a_newcomer_is_welcomed_then_asked_for_consent_in_the_chosen_language(
    core: Core,
) -> None:
    hana = Talk(core, 1001)
    reply = await hana.start()
    assert "こんにちは" in reply.screens[0].text
    assert hana.buttons == ["日本語", "English", "やさしい日本語"]
    reply = await hana.tap("English")
    assert reply.answered is not None and "English" in reply.answered and reply.once
    assert "I agree" in hana.buttons
    assert await respondent_consent(core, hana) is None, "nothing stored before consent"


async def test_consent_given_starts_the_profile_and_keeps_the_answer_in_the_message(
    core: Core,
) -> None:
    hana = Talk(core, 1002)
    await hana.start()
    await hana.tap("日本語")
    reply = await hana.tap("同意する")
    assert reply.appended == "→ <b>同意する</b>"
    assert await respondent_consent(core, hana) == Consent.GIVEN
    assert "4つだけ" in reply.screens[0].text and "1/4" in hana.last


async def test_consent_declined_is_recorded_and_nothing_else(core: Core) -> None:
    ken = Talk(core, 1003)
    await ken.start()
    await ken.tap("日本語")
    reply = await ken.tap("同意しない")
    assert "同意されなかった" in reply.screens[0].text
    assert await respondent_consent(core, ken) == Consent.DECLINED
    await ken.say("こんにちは")
    assert "同意が必要" in ken.last


async def test_the_profile_leads_into_the_survey(core: Core) -> None:
    yumi = Talk(core, 1004)
    await yumi.onboard()
    texts = [screen.text for screen in yumi.reply.screens]
    assert any("保存しました" in text for text in texts)
    assert "1/4〜5" in yumi.last and "住みやすい" in yumi.buttons


async def test_profile_command_asks_again_with_the_current_value_ticked(core: Core) -> None:
    yumi = Talk(core, 1005)
    await yumi.onboard()
    reply = await yumi.command(Command.PROFILE)
    assert "更新" in reply.screens[0].text and "✓ 30代" in yumi.buttons
    reply = await yumi.tap("40代")
    assert reply.answered is not None and "40代" in reply.answered
    assert "1/4" not in yumi.last and "2/4" in yumi.last


async def test_stop_and_delete(core: Core) -> None:
    mio = Talk(core, 1006)
    await mio.onboard()
    assert "停止" in (await mio.command(Command.STOP)).screens[0].text
    await mio.command(Command.DELETE)
    reply = await mio.tap("すべて消去する")
    assert reply.closes and reply.once
    assert await respondent_consent(core, mio) is None


def test_telegram_keeps_its_pseudonyms_and_line_has_an_id_space_of_its_own() -> None:
    telegram = Resident(Channel.TELEGRAM, 42)
    assert respondent_key(telegram, "s") == pseudonym(42, "s")
    line = Resident(Channel.LINE, "42")
    assert respondent_key(line, "s") == line_pseudonym("42", "s") != pseudonym(42, "s")
