"""The core's Reply as LINE messages, inside the Messaging API's limits."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from bot.app.conversation.screens import Button, Reply, Screen

MAX_MESSAGES = 5  # messages in one reply or push request
MAX_TEXT = 5000  # characters of a text message
MAX_QUICK_REPLIES = 13  # quick-reply items on a message
MAX_LABEL = 20  # characters of an action's label
MAX_DATA = 300  # characters of a postback action's data
MAX_DISPLAY_TEXT = 300  # characters of a postback action's displayText
MAX_ALT_TEXT = 400  # characters of a Flex message's altText
MAX_FLEX_TEXT = 2000  # characters of the question in a Flex bubble (the bubble ≤ 30 KB)

Message = dict[str, Any]

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram's HTML subset as plain text: tags dropped, entities unescaped."""
    return html.unescape(_TAG.sub("", text)).strip()


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def postback(button: Button) -> dict[str, Any]:
    """A postback action carrying the button's callback data; the tap shows its full label."""
    if len(button.data) > MAX_DATA:
        raise ValueError(f"postback data of {len(button.data)} characters (limit {MAX_DATA})")
    label = plain(button.label) or "…"
    return {
        "type": "postback",
        "label": clip(label, MAX_LABEL),
        "data": button.data,
        "displayText": clip(label, MAX_DISPLAY_TEXT),
    }


def text_message(text: str) -> Message:
    """A text message."""
    return {"type": "text", "text": clip(text, MAX_TEXT) or "…"}


def quick_reply_message(text: str, buttons: Sequence[Button]) -> Message:
    """A text message whose buttons are quick replies (gone once one is tapped)."""
    message = text_message(text)
    message["quickReply"] = {
        "items": [{"type": "action", "action": postback(button)} for button in buttons]
    }
    return message


def flex_message(text: str, rows: Sequence[Sequence[Button]]) -> Message:
    """A bubble with the text and one line of buttons per row: stays tappable, any count."""
    lines: list[dict[str, Any]] = [
        {"type": "text", "text": clip(text, MAX_FLEX_TEXT) or "…", "wrap": True}
    ]
    for row in rows:
        buttons = [
            {"type": "button", "style": "secondary", "height": "sm", "action": postback(b)}
            for b in row
        ]
        lines.append({"type": "box", "layout": "horizontal", "spacing": "sm", "contents": buttons})
    return {
        "type": "flex",
        "altText": clip(text, MAX_ALT_TEXT) or "…",
        "contents": {
            "type": "bubble",
            "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": lines},
        },
    }


TICK = "✓"


def screen_message(screen: Screen, *, last: bool) -> Message:
    """One screen: quick replies when it is the last and few; else a Flex bubble. A screen
    with buttons only (a multi choice's new ticks) says what is ticked."""
    text = plain(screen.text)
    buttons = [button for row in screen.rows for button in row]
    if not text and buttons:
        ticked = [plain(b.label) for b in buttons if b.label.startswith(TICK)]
        text = "\n".join(ticked) or "—"
    if not buttons:
        return text_message(text)
    if last and len(buttons) <= MAX_QUICK_REPLIES:
        return quick_reply_message(text, buttons)
    return flex_message(text, screen.rows)


def merged(screens: Sequence[Screen]) -> list[Screen]:
    """At most five screens: the first ones' texts joined into one (buttons stay on the rest)."""
    if len(screens) <= MAX_MESSAGES:
        return list(screens)
    head, tail = screens[: len(screens) - MAX_MESSAGES + 1], screens[len(screens) - 4 :]
    if any(screen.rows for screen in head[:-1]):
        # a button screen cannot be merged away: keep the latest five as they are
        return list(screens[-MAX_MESSAGES:])
    joined = Screen("\n\n".join(screen.text for screen in head), head[-1].rows)
    return [joined, *tail]


def messages_of(reply: Reply) -> list[Message]:
    """What to send for a reply (empty: nothing to say; a stale tap says nothing)."""
    screens = list(reply.screens)
    if not screens and reply.toast and not reply.stale:
        screens = [Screen(reply.toast)]
    if not screens:
        return []
    chosen = merged(screens)
    return [screen_message(s, last=i == len(chosen) - 1) for i, s in enumerate(chosen)]
