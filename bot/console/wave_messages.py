"""Wave rule messages in both languages: the English that bot/ and surveys/ raise (and the CLI
shows, by design), and the Japanese the console shows instead.

Each entry's `en` is the raised text with {name} for what varies; a test checks that every
message raised in the wave modules has an entry here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.console.wave_forms import FIELD_TITLES
from bot.console.web import STATUS_LABELS


@dataclass(frozen=True)
class Message:
    """One message: the English as raised, the Japanese for the console."""

    en: str
    ja: str


NESTED = frozenset({"rule", "why"})
"""Placeholders holding another message of the catalogue (translated in turn)."""
PATTERNS = {"wave": r"\d+", "article": r"an?", "label": r"[^\x00-\x7f]+"}
CHANGES = {"edited": "編集", "deleted": "削除"}

CATALOGUE: tuple[Message, ...] = (
    # bot/app/waves.py
    Message("wave {wave} does not exist", "調査回 {wave} はありません"),
    Message("the wave must close after it opens", "終了日時は開始日時より後にしてください"),
    Message("the closing time is in the past", "終了日時が過ぎています"),
    Message(
        'unknown survey "{survey}"; loaded: {known}',
        "調査票「{survey}」はありません（使える調査票：{known}）",
    ),
    Message(
        "nothing to change (give e.g. --name or --closes)",
        "変更する項目がありません",
    ),
    Message(
        "wave {wave} has no opening time; create it with --opens",
        "調査回 {wave} には開始日時がありません。開始日時を入れてから予約してください",
    ),
    Message(
        "wave {wave} would close in the past; give a new closing time",
        "調査回 {wave} は終了日時が過ぎています。新しい終了日時を入れてください",
    ),
    Message(
        'survey "{survey}" is not loaded (machikoe survey load FILE)',
        "調査票「{survey}」が読み込まれていません（システム担当者に依頼してください）",
    ),
    Message("the results embargo is already lifted", "結果の公開制限はすでに解除されています"),
    Message(
        "the wave has not opened; there are no results yet",
        "この調査回はまだ開始していないため、公開する結果がありません",
    ),
    Message(
        'unknown channel "{channel}"; use telegram, line or both',
        "チャネル「{channel}」はありません（Telegram・LINE・両方から選んでください）",
    ),
    Message("wave {wave}: {rule}", "調査回 {wave}：{rule}"),
    # surveys/waves.py
    Message("wave is already {status}", "すでに「{status}」です"),
    Message(
        "a closed wave can be reopened only by an admin override",
        "終了した調査回は「受付を再開」からだけ開けます",
    ),
    Message(
        "{article} {status} wave cannot become {target}",
        "「{status}」の調査回は「{target}」にできません",
    ),
    Message(
        "only a draft wave can be {change}: {why}",
        "{change}できるのは下書きの調査回だけです（{why}）",
    ),
    Message(
        "it is scheduled and opens by itself at its opening time",
        "開始予約済みで、開始日時に自動で始まります",
    ),
    Message(
        "it is open and residents may already be answering it",
        "回答受付中で、すでに市民が回答しているかもしれません",
    ),
    Message(
        "it is closed and its answers are the survey's record",
        "終了しており、回答は調査の記録として残ります",
    ),
    Message(
        "the survey of {article} {status} wave is frozen; create a new wave to change it",
        "「{status}」の調査回の調査票は変えられません。新しい調査回を作ってください",
    ),
    Message(
        "survey {survey} already has an open wave: {waves}",
        "調査票 {survey} には回答受付中の調査回（{waves}）があります。先に締め切ってください",
    ),
    Message(
        'profile field {field} has no value "{value}"',
        "「{field}」に「{value}」という選択肢はありません",
    ),
    # bot/app/wave_plans.py
    Message(
        'not a date and time: "{text}" (use e.g. 2030-05-01T09:00, or +14d / +12h from now)',
        "日時「{text}」が読み取れません（例：2030-05-01T09:00）",
    ),
    Message(
        'not a reminder: "{text}" (use an offset before closing like 3d or 12h, '
        "or a date and time like 2030-05-13T12:00 or +10d)",
        "リマインダー「{text}」が読み取れません（終了の3日前なら 3d、12時間前なら 12h、"
        "または日時 2030-05-13T12:00）",
    ),
    Message(
        'not an audience filter: "{text}" (use e.g. age_band=20s,30s)',
        "対象者の条件「{text}」が読み取れません",
    ),
    Message(
        'unknown audience field "{field}"; use one of {fields}',
        "対象者の条件「{field}」はありません",
    ),
    Message(
        'not a summary time: "{text}" (use e.g. "mon 09:00" or "daily 18:00")',
        "集計の送信日時「{text}」が読み取れません（曜日と 09:00 のような時刻）",
    ),
    Message(
        'not a time of day: "{text}" (use e.g. 09:00)',
        "時刻「{text}」が読み取れません（例：09:00）",
    ),
    # surveys/sending.py
    Message(
        'not a time of day in "{whole}": {text} (use e.g. 09:00)',
        "「{whole}」の時刻 {text} が読み取れません（例：09:00）",
    ),
    Message(
        'not a sending window: "{text}" (use e.g. 10:00-19:00)',
        "送信時間帯「{text}」が読み取れません（例：10:00-19:00）",
    ),
    Message(
        'the sending window "{text}" starts and ends at the same time',
        "送信時間帯「{text}」の開始と終了が同じです",
    ),
    Message(
        'not a gap: "{text}" (use e.g. 24h or 2d)', "間隔「{text}」が読み取れません（例：24h、2d）"
    ),
    Message(
        "the number of reminders cannot be negative", "リマインダーの回数は0以上にしてください"
    ),
    Message("the gap between two messages cannot be negative", "送信の間隔は0以上にしてください"),
    # bot/console/wave_forms.py: a form field's Japanese label before the rule
    Message("{label}: {rule}", "{label}：{rule}"),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], Message], ...]:
    """Each entry's English as a regular expression with one group per placeholder."""
    found = []
    for message in CATALOGUE:
        parts = re.split(r"\{(\w+)\}", message.en)
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>{PATTERNS.get(part, '.+?')})"
            for i, part in enumerate(parts)
        )
        found.append((re.compile(pattern + r"\Z"), message))
    return tuple(found)


def _value(name: str, value: str) -> str:
    """A placeholder's value as the Japanese text shows it."""
    if name in NESTED:
        return in_japanese(value)
    if name in ("status", "target"):
        return STATUS_LABELS.get(value, value)
    if name == "change":
        return CHANGES.get(value, value)
    if name == "field":
        return FIELD_TITLES.get(value, value)
    return value


def in_japanese(text: str) -> str:
    """A wave rule's message for the console; one it does not know stays as it is."""
    for pattern, message in _compiled():
        match = pattern.match(text)
        if match:
            values = {name: _value(name, value) for name, value in match.groupdict().items()}
            return message.ja.format(**values)
    return text
