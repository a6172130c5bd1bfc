"""Admin commands: /waves, /wave <id> and its buttons 開始 / 終了 / 予約 (confirmed)."""

from __future__ import annotations

import contextlib
import html
import logging
from datetime import datetime, tzinfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.app import callbacks as cb
from bot.app.callbacks import WaveAction
from bot.app.invitations import ProgressCallback
from bot.app.waves import (
    WaveDetails,
    WaveError,
    close_wave,
    list_waves,
    open_wave,
    schedule_wave,
    wave_details,
)
from bot.telegram.context import wave_jobs_of
from bot.telegram.roles import require_role, services_of
from bot.telegram.staff_screens import (
    age_bands_text,
    audience_text,
    reminders_text,
    results_preview_text,
    sending_text,
    waiting_text,
)
from surveys.roles import Role
from surveys.schedule import OUTCOMES, WAITING, InvitationState
from surveys.waves import WaveStatus

LIST_LIMIT = 30
STATUS_JA: dict[str, str] = {
    WaveStatus.DRAFT: "下書き",
    WaveStatus.SCHEDULED: "予約済み",
    WaveStatus.OPEN: "実施中",
    WaveStatus.CLOSED: "終了",
}
CONFIRM = {
    WaveAction.ASK_OPEN: (
        "ウェーブ #{id} を今すぐ開始し、対象の住民に招待を送ります。よろしいですか？"
    ),
    WaveAction.ASK_CLOSE: (
        "ウェーブ #{id} を今すぐ終了します。以後の回答は受け付けません。よろしいですか？"
    ),
}
CONFIRMED = {WaveAction.ASK_OPEN: WaveAction.OPEN, WaveAction.ASK_CLOSE: WaveAction.CLOSE}

log = logging.getLogger(__name__)


def _button(label: str, action: WaveAction, wave_id: int) -> InlineKeyboardButton:
    """A /wave button."""
    return InlineKeyboardButton(label, callback_data=cb.wave_data(action, wave_id))


def _when(value: datetime | None, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "未定"


def _rate(details: WaveDetails) -> str:
    rate = details.counts.completion_rate
    return "—" if rate is None else f"{rate:.0%}"


def waves_text(waves: list[WaveDetails]) -> str:
    """The /waves list: status and counts, newest first."""
    if not waves:
        return "ウェーブはまだありません（machikoe wave create で作成できます）。"
    lines = ["<b>調査ウェーブ</b>"]
    for details in waves[:LIST_LIMIT]:
        wave, counts = details.wave, details.counts
        lines.append(
            f"#{wave.id} {html.escape(wave.name[:60])} — {STATUS_JA.get(wave.status, wave.status)}"
            f"　招待 {counts.invited}・開始 {counts.started}・完了 {counts.completed}"
            f"（{_rate(details)}）"
        )
    if len(waves) > LIST_LIMIT:
        lines.append(f"ほか {len(waves) - LIST_LIMIT} 件（machikoe wave list）")
    lines.append("詳細: /wave 番号")
    return "\n".join(lines)


def wave_text(details: WaveDetails, zone: tzinfo, note: str | None = None) -> str:
    """The /wave <id> details with live counts and completions by age band."""
    wave, counts = details.wave, details.counts
    frozen = f"（定義 #{wave.definition_id} で固定）" if wave.definition_id else ""
    lines = [
        f"<b>ウェーブ #{wave.id}: {html.escape(wave.name[:200])}</b>",
        f"調査: {html.escape(wave.survey_id)}{frozen}",
        f"状態: {STATUS_JA.get(wave.status, wave.status)}",
        f"期間: {_when(wave.opens_at, zone)} 〜 {_when(wave.closes_at, zone)}",
        f"対象: {html.escape(audience_text(wave.audience))}",
        f"リマインド: {html.escape(reminders_text(wave.reminders, zone))}",
        f"結果の公開: {'解禁済み' if wave.embargo_lifted else '終了後'}",
        f"送信の決まり: {sending_text(wave.contact_rules)}",
        f"招待の送信: {details.invitations_done}/{details.invitations_total}",
        f"招待 {counts.invited}・回答開始 {counts.started}・完了 {counts.completed}"
        f"・完了率 {_rate(details)}",
    ]
    if counts.by_age_band:
        lines.append(f"年代別の完了: {html.escape(age_bands_text(counts.by_age_band))}")
    waiting = waiting_text(details.waiting, details.resume_at, zone)
    if waiting:
        lines.append(waiting)
    if note:
        lines.append(f"\n{html.escape(note)}")
    return "\n".join(lines)


def wave_keyboard(details: WaveDetails) -> InlineKeyboardMarkup:
    """Buttons for what the wave's status allows, and a refresh."""
    wave_id, status = details.wave.id, details.wave.status
    row: list[InlineKeyboardButton] = []
    if status in (WaveStatus.DRAFT, WaveStatus.SCHEDULED):
        row.append(_button("開始", WaveAction.ASK_OPEN, wave_id))
    if status == WaveStatus.DRAFT:
        row.append(_button("予約", WaveAction.SCHEDULE, wave_id))
    if status == WaveStatus.OPEN:
        row.append(_button("終了", WaveAction.ASK_CLOSE, wave_id))
    if status == WaveStatus.CLOSED and details.wave.results_sent_at is None:
        row.append(_button("結果を送る", WaveAction.PREVIEW_RESULTS, wave_id))
    row.append(_button("更新", WaveAction.REFRESH, wave_id))
    return InlineKeyboardMarkup([row])


def confirm_keyboard(action: WaveAction, wave_id: int) -> InlineKeyboardMarkup:
    """Yes / no for a destructive action."""
    label = "開始する" if action is WaveAction.ASK_OPEN else "終了する"
    return InlineKeyboardMarkup(
        [
            [
                _button(label, CONFIRMED[action], wave_id),
                _button("やめる", WaveAction.REFRESH, wave_id),
            ]
        ]
    )


def progress_text(wave_id: int, counts: dict[InvitationState, int]) -> str:
    """Sent / total of a wave's invitations."""
    total = sum(counts.values())
    waiting = sum(counts.get(state, 0) for state in WAITING)
    head = "送信完了" if waiting == 0 else "送信中"
    sent, failed, blocked = (counts.get(state, 0) for state in OUTCOMES)
    return (
        f"ウェーブ #{wave_id} の招待: {head} {total - waiting}/{total}"
        f"（送信 {sent}・失敗 {failed}・ブロック {blocked}）"
    )


def progress_editor(bot: Bot, chat_id: int, message_id: int, wave_id: int) -> ProgressCallback:
    """A progress callback that edits one message (only when the text changes)."""
    last: list[str] = []

    async def edit(counts: dict[InvitationState, int]) -> None:
        text = progress_text(wave_id, counts)
        if last and last[-1] == text:
            return
        last[:] = [text]
        with contextlib.suppress(BadRequest):
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)

    return edit


@require_role(Role.ADMIN)
async def waves_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/waves: every wave with status and counts."""
    assert update.effective_chat is not None
    waves = await list_waves(services_of(context))
    await context.bot.send_message(
        update.effective_chat.id, waves_text(waves), parse_mode=ParseMode.HTML
    )


@require_role(Role.ADMIN)
async def wave_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/wave <id>: details, live counts and the buttons."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    services = services_of(context)
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        await context.bot.send_message(chat_id, "使い方: /wave 番号（一覧は /waves）")
        return
    try:
        details = await wave_details(services, int(args[0].lstrip("#")))
    except WaveError:
        await context.bot.send_message(chat_id, f"ウェーブ {args[0]} はありません。")
        return
    await context.bot.send_message(
        chat_id,
        wave_text(details, services.timezone),
        parse_mode=ParseMode.HTML,
        reply_markup=wave_keyboard(details),
    )


@require_role(Role.ADMIN)
async def wave_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The buttons of /wave: ask before opening or closing, then do what the CLI does."""
    query = update.callback_query
    assert query is not None
    tap = cb.parse_wave(query.data)
    if tap is None:
        await query.answer()
        return
    action, wave_id = tap.action, tap.wave_id
    services = services_of(context)
    if action in CONFIRM:
        await query.answer()
        await query.edit_message_text(
            CONFIRM[action].format(id=wave_id), reply_markup=confirm_keyboard(action, wave_id)
        )
        return
    if action is WaveAction.PREVIEW_RESULTS:
        await _preview_results(update, context, wave_id)
        return
    note: str | None = None
    try:
        if action is WaveAction.SEND_RESULTS:
            note = await _send_results(context, wave_id)
        elif action is WaveAction.OPEN:
            wave, invited = await open_wave(services, wave_id)
            note = f"開始しました。招待 {invited} 件を送信します。"
            await _follow_progress(update, context, wave.id)
        elif action is WaveAction.CLOSE:
            await close_wave(services, wave_id)
            note = "終了しました。"
        elif action is WaveAction.SCHEDULE:
            wave = await schedule_wave(services, wave_id)
            note = f"{_when(wave.opens_at, services.timezone)} に開始するよう予約しました。"
    except WaveError as exc:
        await query.answer(str(exc)[:200], show_alert=True)
    else:
        await query.answer(note[:200] if note else None)
    try:
        details = await wave_details(services, wave_id)
    except WaveError:
        return
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(
            wave_text(details, services.timezone, note),
            parse_mode=ParseMode.HTML,
            reply_markup=wave_keyboard(details),
        )


async def _preview_results(
    update: Update, context: ContextTypes.DEFAULT_TYPE, wave_id: int
) -> None:
    """Show the results message and its reach, with 送る / やめる (nothing is sent yet)."""
    from bot.app.results_back import preview_results

    query = update.callback_query
    assert query is not None
    services = services_of(context)
    try:
        back = await preview_results(services, wave_id)
    except WaveError as exc:
        await query.answer(str(exc)[:200], show_alert=True)
        return
    await query.answer()
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button("送る", WaveAction.SEND_RESULTS, wave_id),
                _button("やめる", WaveAction.REFRESH, wave_id),
            ]
        ]
    )
    await query.edit_message_text(
        results_preview_text(back.text, back.recipients, back.sends_from, services.timezone),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def _send_results(context: ContextTypes.DEFAULT_TYPE, wave_id: int) -> str:
    """Send the results back once (as `machikoe wave send-results`); the note for the admin."""
    from bot.app.results_back import send_results

    services = services_of(context)
    back = await send_results(services, wave_id)
    jobs = wave_jobs_of(context.application)
    if jobs is not None:
        await jobs.sync()
    when = _when(back.sends_from, services.timezone)
    return f"結果を {back.recipients} 人に送ります（{when} から）。"


async def _follow_progress(
    update: Update, context: ContextTypes.DEFAULT_TYPE, wave_id: int
) -> None:
    """Post a progress message for the admin and start sending now (not at the next poll)."""
    assert update.effective_chat is not None
    message = await context.bot.send_message(
        update.effective_chat.id, f"ウェーブ #{wave_id} の招待: 送信を準備しています…"
    )
    editor = progress_editor(context.bot, message.chat_id, message.message_id, wave_id)
    jobs = wave_jobs_of(context.application)
    if jobs is not None:
        jobs.start_sending(wave_id, editor)
        await jobs.sync()


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """/waves, /wave and the wave buttons (admins only; others see an unknown command)."""
    return [
        CommandHandler("waves", waves_command),
        CommandHandler("wave", wave_command),
        CallbackQueryHandler(wave_tap, pattern=cb.STAFF_WAVE_PATTERN),
    ]
