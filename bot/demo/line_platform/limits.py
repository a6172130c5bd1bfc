"""The Messaging API's documented limits, checked on every reply and push the bot makes."""

from __future__ import annotations

from typing import Any

MAX_MESSAGES = 5  # message objects per reply or push request
MAX_TEXT = 5000  # characters of a text message
MAX_QUICK_REPLY_ITEMS = 13
MAX_ACTION_LABEL = 20  # characters of a postback action's label (quick reply)
MAX_FLEX_ACTION_LABEL = 40  # characters of an action's label in a Flex button
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_ALT_TEXT = 400
MAX_FLEX_BYTES = 30_000  # a bubble's JSON


def _action(action: Any, where: str, label_limit: int) -> list[str]:
    """Problems with one action."""
    problems: list[str] = []
    if not isinstance(action, dict) or action.get("type") not in ("postback", "message", "uri"):
        return [f"{where}: not a known action: {action!r}"]
    label = action.get("label", "")
    if not label or len(label) > label_limit:
        problems.append(f"{where}: label of {len(label)} characters (1–{label_limit})")
    if action["type"] == "postback":
        data = action.get("data", "")
        if not data or len(data) > MAX_POSTBACK_DATA:
            problems.append(f"{where}: postback data of {len(data)} characters")
        if len(action.get("displayText", "")) > MAX_DISPLAY_TEXT:
            problems.append(f"{where}: displayText over {MAX_DISPLAY_TEXT} characters")
    return problems


def _flex_actions(node: Any, where: str) -> list[str]:
    """Problems with the actions anywhere in a Flex container."""
    problems: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "button":
            problems += _action(node.get("action"), where, MAX_FLEX_ACTION_LABEL)
        for value in node.values():
            problems += _flex_actions(value, where)
    elif isinstance(node, list):
        for value in node:
            problems += _flex_actions(value, where)
    return problems


def message_problems(message: Any, where: str) -> list[str]:
    """Problems with one message object."""
    import json

    if not isinstance(message, dict):
        return [f"{where}: not a message object"]
    problems: list[str] = []
    kind = message.get("type")
    if kind == "text":
        text = message.get("text", "")
        if not text or len(text) > MAX_TEXT:
            problems.append(f"{where}: text of {len(text)} characters (1–{MAX_TEXT})")
    elif kind == "flex":
        alt = message.get("altText", "")
        if not alt or len(alt) > MAX_ALT_TEXT:
            problems.append(f"{where}: altText of {len(alt)} characters (1–{MAX_ALT_TEXT})")
        contents = message.get("contents")
        if not isinstance(contents, dict) or contents.get("type") not in ("bubble", "carousel"):
            problems.append(f"{where}: flex contents must be a bubble or carousel")
        elif len(json.dumps(contents, ensure_ascii=False).encode()) > MAX_FLEX_BYTES:
            problems.append(f"{where}: flex contents over {MAX_FLEX_BYTES} bytes")
        problems += _flex_actions(contents, where)
    else:
        problems.append(f"{where}: message type {kind!r} not expected from this bot")
    quick = message.get("quickReply")
    if quick is not None:
        items = quick.get("items", []) if isinstance(quick, dict) else []
        if not 1 <= len(items) <= MAX_QUICK_REPLY_ITEMS:
            problems.append(f"{where}: {len(items)} quick-reply items (1–13)")
        for number, item in enumerate(items):
            problems += _action(item.get("action"), f"{where} item {number}", MAX_ACTION_LABEL)
    return problems


def request_problems(body: Any, target_key: str) -> list[str]:
    """Problems with a reply (target_key 'replyToken') or push ('to') request body."""
    if not isinstance(body, dict) or not body.get(target_key):
        return [f"request without {target_key}"]
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        count = len(messages) if isinstance(messages, list) else 0
        return [f"{count} messages in one request (1–{MAX_MESSAGES})"]
    problems: list[str] = []
    for number, message in enumerate(messages):
        problems += message_problems(message, f"message {number}")
    return problems
