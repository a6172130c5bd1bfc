"""What staff read in the bot, in Japanese: audiences, age bands, reminders and /help."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from bot.app.texts import t
from surveys.profile import PROFILE_FIELDS, profile_label, profile_survey
from surveys.roles import Role
from surveys.sending import ContactRules

EVERYONE = "購読中の全員"
UNKNOWN_BAND = "不明"
_OFFSET = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "日", "h": "時間", "m": "分"}
STAFF_COMMANDS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/waves", "調査ウェーブの一覧と回答数", frozenset({Role.ADMIN})),
    ("/wave 番号", "ウェーブの詳細・年代別の完了数、開始・終了・予約", frozenset({Role.ADMIN})),
    (
        "/review",
        "目標の判定が不確かなご意見を確認・修正する",
        frozenset({Role.ADMIN, Role.ANALYST}),
    ),
    ("/comments 1-4｜other", "目標別のご意見を読む", frozenset({Role.ADMIN, Role.ANALYST})),
    (
        "/console",
        "管理画面（ウェブ）へのログイン用リンクを受け取る",
        frozenset({Role.ADMIN, Role.ANALYST}),
    ),
)
"""Staff commands as /help lists them, with the roles that may run them."""


def audience_text(audience: Mapping[str, Sequence[str]]) -> str:
    """Who a wave invites: 購読中の全員, or e.g. 年代: 20代・30代 / 地区: 十王地区."""
    parts = [
        f"{t('ja', f'profile_field_{field}')}: "
        + "・".join(profile_label(field, code) for code in audience[field])
        for field in PROFILE_FIELDS
        if audience.get(field)
    ]
    return " / ".join(parts) or EVERYONE


def age_bands_text(by_age_band: Mapping[str, int]) -> str:
    """Completions by age band in the profile's order: 20代 3、30代 1 (不明 last)."""
    order = profile_survey().question("age_band").choice_ids
    known = [
        (profile_label("age_band", band), by_age_band[band])
        for band in order
        if band in by_age_band
    ]
    other = sum(n for band, n in by_age_band.items() if band not in order)
    shown = known + ([(UNKNOWN_BAND, other)] if other else [])
    return "、".join(f"{label} {count}" for label, count in shown)


def reminders_text(reminders: Sequence[str], zone: tzinfo) -> str:
    """Stored reminders as staff read them: 終了3日前, or a date and time; なし when none."""
    return "、".join(_reminder_text(reminder, zone) for reminder in reminders) or "なし"


def _reminder_text(reminder: str, zone: tzinfo) -> str:
    """One stored reminder ("3d" before closing, or an ISO time) in Japanese."""
    offset = _OFFSET.match(reminder)
    if offset is not None:
        return f"終了{offset.group(1)}{_UNITS[offset.group(2)]}前"
    try:
        return datetime.fromisoformat(reminder).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return reminder


def sending_text(stored_rules: Mapping[str, Any] | None) -> str:
    """A wave's sending rules: 送信時間 09:00〜20:00・リマインドは1人2回まで・間隔24時間以上."""
    rules = ContactRules.from_stored(stored_rules)
    window = str(rules.window).replace("-", "〜")
    hours = rules.min_gap.total_seconds() / 3600
    return f"送信時間 {window}・リマインドは1人{rules.max_reminders}回まで・間隔{hours:g}時間以上"


def waiting_text(waiting: int, resume_at: datetime | None, zone: tzinfo) -> str | None:
    """What waits to be sent: 送信待ち 120件（6月3日 09:00から）; None when nothing waits."""
    if not waiting:
        return None
    if resume_at is None:
        return f"送信待ち {waiting}件"
    return f"送信待ち {waiting}件（{resume_at.astimezone(zone):%-m月%-d日 %H:%M}から）"


def results_preview_text(text: str, recipients: int, sends_from: datetime, zone: tzinfo) -> str:
    """The results message as residents would read it, who gets it and from when."""
    when = f"{sends_from.astimezone(zone):%-m月%-d日 %H:%M}"
    return (
        f"<b>結果のお知らせ（送信前の確認）</b>\n回答した住民 {recipients} 人に {when} から"
        f"送ります（1回だけ）。\n\n{html.escape(text)}"
    )


def staff_help(role: str) -> str:
    """The staff commands this role may run, for /help."""
    lines = [f"{command} {what}" for command, what, roles in STAFF_COMMANDS if role in roles]
    return "<b>職員用のコマンド</b>\n" + "\n".join(lines)
