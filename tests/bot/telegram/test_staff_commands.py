"""Admin wave commands in the chat, and every staff command × every role."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from telegram.ext import CommandHandler

from bot.telegram.staff_screens import STAFF_COMMANDS
from surveys.roles import Role
from tests.bot.conftest import BotApp
from tests.builders import PROFILE, make_respondent, make_response

ADMIN_ID, ANALYST_ID, RESIDENT_ID = 7001, 7002, 7003


async def draft_wave(app: BotApp, **fields: object) -> int:
    """A draft wave of the bundled survey opening in a day (the fixture's wave gets closed)."""
    now = app.services.now()
    async with app.services.uow() as uow:
        await uow.waves.update_status(app.wave_id, "closed", now)
        wave = await uow.waves.create(
            name="2025 秋",
            survey_id="residency-livability",
            at=now,
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=15),
            **fields,  # type: ignore[arg-type]
        )
        await uow.commit()
    return wave.id


def staff_commands(app: BotApp) -> dict[str, frozenset[str]]:
    """Every command registered with require_role, with the roles it allows."""
    found: dict[str, frozenset[str]] = {}
    for handler in app.application.handlers[0]:
        if not isinstance(handler, CommandHandler):
            continue
        closure = inspect.getclosurevars(handler.callback).nonlocals
        if "allowed" in closure:
            for command in handler.commands:
                found[command] = closure["allowed"]
    return found


async def test_every_staff_command_answers_only_its_roles(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    await bot_app.add_staff(ANALYST_ID, Role.ANALYST)
    commands = staff_commands(bot_app)
    assert {"waves", "wave", "review", "comments"} <= set(commands)
    for user_id in (ADMIN_ID, ANALYST_ID, RESIDENT_ID):
        bot_app.server.user(user_id).send_command("/nosuchcommand")
    await bot_app.settle()
    unknown = {uid: bot_app.last_text(uid) for uid in (ADMIN_ID, ANALYST_ID, RESIDENT_ID)}
    roles = {ADMIN_ID: Role.ADMIN, ANALYST_ID: Role.ANALYST, RESIDENT_ID: None}
    for command, allowed in sorted(commands.items()):
        for user_id, role in roles.items():
            before = len(bot_app.server.user(user_id).messages)
            bot_app.server.user(user_id).send_command(f"/{command} {bot_app.wave_id}")
            await bot_app.settle()
            assert len(bot_app.server.user(user_id).messages) > before, (command, role)
            reply = bot_app.last_text(user_id)
            if role in allowed:
                assert reply != unknown[user_id], (command, role)
            else:
                assert reply == unknown[user_id], (command, role)


async def test_waves_lists_status_and_counts(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    await draft_wave(bot_app)
    admin = bot_app.server.user(ADMIN_ID)
    admin.send_command("/waves")
    await bot_app.settle()
    text = bot_app.last_text(ADMIN_ID)
    assert "2025 秋 — 下書き" in text and "2025 夏 — 終了" in text
    assert "招待 0・開始 0・完了 0" in text


async def test_admin_opens_a_wave_with_confirmation_and_sees_invitations_sent(
    bot_app: BotApp,
) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    wave_id = await draft_wave(bot_app, audience={"age_band": ["30s"]})
    for user_id in range(8001, 8004):
        bot_app.server.user(user_id)
        await make_respondent(bot_app.services.uow, chat_id=user_id, profile=PROFILE)
    bot_app.server.user(8009)
    await make_respondent(
        bot_app.services.uow, chat_id=8009, profile={**PROFILE, "age_band": "60s"}
    )
    admin = bot_app.server.user(ADMIN_ID)
    admin.send_command(f"/wave {wave_id}")
    await bot_app.settle()
    assert "状態: 下書き" in bot_app.last_text(ADMIN_ID)
    admin.tap("開始")
    await bot_app.settle()
    assert "よろしいですか" in bot_app.last_text(ADMIN_ID)
    async with bot_app.services.uow() as uow:
        wave = await uow.waves.get(wave_id)
        assert wave is not None and wave.status == "draft"  # nothing happens before confirming
    admin.tap("開始する")
    await bot_app.settle()
    for _ in range(50):
        if "送信完了 3/3" in admin.messages[-1].text:
            break
        await bot_app.server.settle(quiet=0.1)
    progress = admin.messages[-1].text
    assert "送信完了 3/3" in progress and "送信 3・失敗 0・ブロック 0" in progress
    details = [m.text for m in admin.messages if "状態: 実施中" in m.text]
    assert details and "開始しました。招待 3 件を送信します。" in details[-1]
    for user_id in range(8001, 8004):
        invitation = bot_app.server.user(user_id).last_bot_message
        assert invitation is not None and "まちの声アンケートのお願い" in invitation.text
        assert invitation.button_texts == ["回答をはじめる"]
    assert bot_app.server.user(8009).last_bot_message is None
    assert bot_app.server.unanswered_callbacks() == []


async def test_admin_closes_an_open_wave_and_a_stale_button_is_refused(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    admin = bot_app.server.user(ADMIN_ID)
    admin.send_command(f"/wave {bot_app.wave_id}")
    await bot_app.settle()
    admin.tap("終了")
    await bot_app.settle()
    confirm = admin.last_bot_message
    admin.tap("終了する")
    await bot_app.settle()
    assert "状態: 終了" in bot_app.last_text(ADMIN_ID)
    assert confirm is not None
    admin.tap_data(confirm, f"wv:C:{bot_app.wave_id}")  # the old confirmation tapped again
    await bot_app.settle()
    last_tap = list(bot_app.server.callbacks.values())[-1]
    assert last_tap.show_alert and "wave is already closed" in (last_tap.answer_text or "")
    async with bot_app.services.uow() as uow:
        wave = await uow.waves.get(bot_app.wave_id)
    assert wave is not None and wave.status == "closed"
    assert bot_app.server.unanswered_callbacks() == []


@pytest.mark.parametrize("text", ["/wave", "/wave abc", "/wave 999"])
async def test_wave_without_a_valid_id_says_how(bot_app: BotApp, text: str) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    bot_app.server.user(ADMIN_ID).send_command(text)
    await bot_app.settle()
    reply = bot_app.last_text(ADMIN_ID)
    assert "使い方" in reply or "ありません" in reply


async def test_wave_details_speak_japanese(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    young = {**PROFILE, "district": "juo", "age_band": "20s"}
    for profile in (young, young, {**young, "age_band": "70plus"}):
        await make_response(bot_app.services.uow, bot_app.wave_id, profile=profile)
    admin = bot_app.server.user(ADMIN_ID)
    admin.send_command(f"/wave {bot_app.wave_id}")
    await bot_app.settle()
    text = bot_app.last_text(ADMIN_ID)
    assert "対象: 購読中の全員" in text
    assert "年代別の完了: 20代 2、70歳以上 1" in text
    planned = await draft_wave(
        bot_app, audience={"age_band": ["20s", "30s"], "district": ["juo"]}, reminders=["3d"]
    )
    admin.send_command(f"/wave {planned}")
    await bot_app.settle()
    text = bot_app.last_text(ADMIN_ID)
    assert "対象: 年代: 20代・30代 / 地区: 十王地区" in text
    assert "リマインド: 終了3日前" in text
    assert "everyone" not in text and "20s" not in text


async def test_help_lists_the_commands_each_staff_member_may_run(bot_app: BotApp) -> None:
    await bot_app.add_staff(ADMIN_ID, Role.ADMIN)
    await bot_app.add_staff(ANALYST_ID, Role.ANALYST)
    for user_id in (ADMIN_ID, ANALYST_ID, RESIDENT_ID):
        bot_app.server.user(user_id).send_command("/help")
    await bot_app.settle()
    admin, analyst, resident = (bot_app.last_text(u) for u in (ADMIN_ID, ANALYST_ID, RESIDENT_ID))
    assert "/mydata" in admin and "職員用のコマンド" in admin
    assert all(command in admin for command in ("/waves", "/wave 番号", "/review", "/comments"))
    assert "/review" in analyst and "/comments" in analyst and "/waves" not in analyst
    assert "/mydata" in resident and "職員用" not in resident and "/review" not in resident


async def test_help_names_the_roles_the_commands_really_allow(bot_app: BotApp) -> None:
    listed = {command.split()[0].lstrip("/"): roles for command, _, roles in STAFF_COMMANDS}
    assert listed == staff_commands(bot_app)
