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


MAX_AREAS = 20  # tappable areas of a rich menu
MAX_MENU_NAME = 300
MAX_CHAT_BAR_TEXT = 14
MENU_WIDTH = (800, 2500)
MIN_MENU_HEIGHT = 250
MIN_MENU_ASPECT = 1.45  # width ÷ height
MAX_MENU_IMAGE = 1 << 20  # bytes (JPEG or PNG)
MENU_IMAGE_TYPES = ("image/png", "image/jpeg")


def rich_menu_problems(menu: Any) -> list[str]:
    """Problems with a rich menu object (create)."""
    if not isinstance(menu, dict):
        return ["not a rich menu object"]
    problems: list[str] = []
    size = menu.get("size")
    size = size if isinstance(size, dict) else {}
    width, height = size.get("width", 0), size.get("height", 0)
    if not MENU_WIDTH[0] <= width <= MENU_WIDTH[1]:
        problems.append(f"size: width {width} (800–2500)")
    if height < MIN_MENU_HEIGHT or width / max(height, 1) < MIN_MENU_ASPECT:
        problems.append(f"size: height {height} (≥ 250, width ÷ height ≥ 1.45)")
    if not isinstance(menu.get("selected"), bool):
        problems.append("selected must be true or false")
    name = menu.get("name") or ""
    if not name or len(name) > MAX_MENU_NAME:
        problems.append(f"name of {len(name)} characters (1–{MAX_MENU_NAME})")
    bar = menu.get("chatBarText") or ""
    if not bar or len(bar) > MAX_CHAT_BAR_TEXT:
        problems.append(f"chatBarText of {len(bar)} characters (1–{MAX_CHAT_BAR_TEXT})")
    areas = menu.get("areas")
    if not isinstance(areas, list) or not 1 <= len(areas) <= MAX_AREAS:
        count = len(areas) if isinstance(areas, list) else 0
        return [*problems, f"{count} areas (1–{MAX_AREAS})"]
    for number, area in enumerate(areas):
        where = f"area {number}"
        bounds = area.get("bounds") if isinstance(area, dict) else None
        if not isinstance(bounds, dict):
            problems.append(f"{where}: no bounds")
            continue
        x, y = bounds.get("x", -1), bounds.get("y", -1)
        w, h = bounds.get("width", 0), bounds.get("height", 0)
        if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > width or y + h > height:
            problems.append(f"{where}: bounds outside the menu")
        action = area.get("action")
        if isinstance(action, dict) and "label" not in action:
            action = {**action, "label": "-"}  # a rich menu area's label is optional
        problems += _action(action, where, MAX_ACTION_LABEL)
    return problems


def image_problems(content_type: str, body: bytes, size: dict[str, int]) -> list[str]:
    """Problems with a rich menu image (content upload)."""
    problems: list[str] = []
    if content_type not in MENU_IMAGE_TYPES:
        problems.append(f"image content type {content_type!r} (image/png or image/jpeg)")
    if not body or len(body) > MAX_MENU_IMAGE:
        problems.append(f"image of {len(body)} bytes (1 MB at most)")
    if content_type == "image/png" and body[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = int.from_bytes(body[16:20]), int.from_bytes(body[20:24])
        if (width, height) != (size.get("width"), size.get("height")):
            problems.append(f"image of {width}x{height} px for a menu of {size}")
    elif content_type == "image/png":
        problems.append("image is not a PNG")
    return problems
