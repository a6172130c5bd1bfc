"""What residents read in an invitation, a reminder, a "continue" note and the results message."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo

from bot.app import callbacks
from bot.app.conversation.screens import Button, Screen
from surveys.schedule import RESULTS, is_reminder

_TEXTS: dict[str, dict[str, str]] = {
    "ja": {
        "invite": "<b>まちの声アンケートのお願い</b>\n日立市の「{title}」にご協力ください。"
        "回答は数分で終わります。{closes}\n下のボタンから回答をはじめられます。",
        "reminder": "<b>アンケートの締切が近づいています</b>\n「{title}」はまだ回答を受け付けて"
        "います。{closes}\n途中からでも続けられます。",
        "resume": "<b>続きから回答できます</b>\n「{title}」の回答は途中まで保存されています。"
        "{closes}\n下のボタンから続きをどうぞ。",
        "resume_reminder": "<b>続きから回答できます</b>\nアンケートの締切が近づいています。"
        "「{title}」の回答は途中まで保存されています。{closes}\n下のボタンから続きをどうぞ。",
        "results": "<b>「{title}」の結果をお知らせします</b>\nご回答ありがとうございました。\n\n"
        "{summary}",
        "closes": "締切: {when}",
        "start": "回答をはじめる",
        "continue": "回答を続ける",
    },
    "ja-easy": {
        "invite": "<b>アンケートに こたえて ください</b>\n日立市の「{title}」です。"
        "すこしの じかんで おわります。{closes}\nしたの ボタンを おして ください。",
        "reminder": "<b>アンケートの しめきりが ちかいです</b>\n「{title}」に まだ こたえられます。"
        "{closes}",
        "resume": "<b>つづきから こたえられます</b>\n「{title}」の こたえは とちゅうまで "
        "のこって います。{closes}\nしたの ボタンを おして ください。",
        "resume_reminder": "<b>つづきから こたえられます</b>\nしめきりが ちかいです。"
        "「{title}」の こたえは とちゅうまで のこって います。{closes}",
        "results": "<b>「{title}」の けっかです</b>\nこたえて くれて ありがとう ございました。\n\n"
        "{summary}",
        "closes": "しめきり: {when}",
        "start": "こたえる",
        "continue": "つづける",
    },
    "en": {
        "invite": "<b>Please take part in the town's survey</b>\nHitachi City asks for your "
        "views: {title}. It takes a few minutes. {closes}\nTap the button below to start.",
        "reminder": "<b>The survey closes soon</b>\n{title} is still open. {closes}\n"
        "You can continue where you stopped.",
        "resume": "<b>You can continue where you stopped</b>\nYour answers to {title} so far "
        "are saved. {closes}\nTap the button below to continue.",
        "resume_reminder": "<b>You can continue where you stopped</b>\nThe survey closes soon; "
        "your answers to {title} so far are saved. {closes}\nTap the button below to continue.",
        "results": "<b>Results of {title}</b>\nThank you for taking part. The city's summary "
        "(in Japanese):\n\n{summary}",
        "closes": "Closes {when}.",
        "start": "Start the survey",
        "continue": "Continue",
    },
}


def _closes(texts: dict[str, str], language: str, closes_at: datetime | None, zone: tzinfo) -> str:
    """The closing line ("締切: 6月9日 20:00"), empty without a closing time."""
    if closes_at is None:
        return ""
    local = closes_at.astimezone(zone)
    when = local.strftime("%b %d %H:%M") if language == "en" else f"{local:%-m月%-d日 %H:%M}"
    return texts["closes"].format(when=when)


def invitation_screen(
    kind: str,
    language: str,
    title: str,
    closes_at: datetime | None,
    zone: tzinfo,
    wave_id: int,
    *,
    started: bool = False,
) -> Screen:
    """An invitation or a reminder in a resident's language: HTML text and its start button.

    A resident who has begun the survey is told they can continue, never invited again."""
    texts = _TEXTS.get(language, _TEXTS["ja"])
    closes = html.escape(_closes(texts, language, closes_at, zone))
    reminder = is_reminder(kind)
    if started:
        template, label = texts["resume_reminder" if reminder else "resume"], texts["continue"]
    elif reminder:
        template, label = texts["reminder"], texts["continue"]
    else:
        template, label = texts["invite"], texts["start"]
    text = template.format(title=html.escape(title), closes=closes)
    return Screen(text, ((Button(label, callbacks.start_wave_data(wave_id)),),))


def results_screen(language: str, title: str, summary: str) -> Screen:
    """The results message (the summary as staff wrote it, escaped), without buttons."""
    texts = _TEXTS.get(language, _TEXTS["ja"])
    return Screen(texts["results"].format(title=html.escape(title), summary=html.escape(summary)))


def is_results(kind: str) -> bool:
    """Whether an invitation row is the results message."""
    return kind == RESULTS
