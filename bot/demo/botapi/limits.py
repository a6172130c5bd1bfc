"""Telegram's content limits that the spec states only in prose (lengths, buttons, markup)."""

from __future__ import annotations

import re
from typing import Any

from bot.demo.botapi.checker import SpecViolation
from bot.demo.botapi.errors import bad_request
from bot.demo.botapi.formatting import ParseError, parse_text

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX_BYTES = 64
CALLBACK_ANSWER_MAX = 200
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


def parsed_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Parse text with its parse_mode, turning failures into Telegram's error."""
    try:
        return parse_text(text, parse_mode)
    except ParseError as exc:
        raise SpecViolation("parse_entities", bad_request(f"can't parse entities: {exc}")) from None
    except ValueError:
        raise SpecViolation(
            "parse_mode", bad_request(f"unsupported parse_mode {parse_mode!r}")
        ) from None


def check_limits(method: str, params: dict[str, Any]) -> None:
    """Raise SpecViolation if decoded `params` break a limit Telegram enforces for `method`."""
    if method in {"sendMessage", "editMessageText"} and "text" in params:
        text, _ = parsed_text(params["text"], params.get("parse_mode"))
        if not text.strip():
            raise SpecViolation("text_empty", bad_request("message text is empty"))
        if len(text) > TEXT_MAX:
            raise SpecViolation("text_too_long", bad_request("message is too long"))
    if method == "editMessageText" and "text" not in params:
        raise SpecViolation("text_empty", bad_request("message text is empty"))
    if "caption" in params:
        caption, _ = parsed_text(params["caption"], params.get("parse_mode"))
        if len(caption) > CAPTION_MAX:
            raise SpecViolation("caption_too_long", bad_request("message caption is too long"))
    if method == "answerCallbackQuery" and len(params.get("text", "")) > CALLBACK_ANSWER_MAX:
        raise SpecViolation("answer_too_long", bad_request("MESSAGE_TOO_LONG"))
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        check_inline_keyboard(markup["inline_keyboard"])
    if method == "setMyCommands":
        check_commands(params["commands"])


def check_inline_keyboard(rows: list[list[dict[str, Any]]]) -> None:
    """Check every inline button: one action, callback_data of 1-64 bytes, non-empty text."""
    for row in rows:
        for button in row:
            actions = [name for name in _BUTTON_ACTIONS if name in button]
            if len(actions) != 1:
                reason = (
                    "Text buttons are unallowed in the inline keyboard"
                    if not actions
                    else f"Only one of {', '.join(actions)} can be specified"
                )
                raise SpecViolation(
                    "button_action", bad_request(f"can't parse inline keyboard button: {reason}")
                )
            if not button["text"].strip():
                raise SpecViolation("button_text", bad_request("BUTTON_TEXT_EMPTY"))
            if "callback_data" in button:
                size = len(button["callback_data"].encode("utf-8"))
                if not 1 <= size <= CALLBACK_DATA_MAX_BYTES:
                    raise SpecViolation("callback_data", bad_request("BUTTON_DATA_INVALID"))


def check_commands(commands: list[dict[str, Any]]) -> None:
    """Check command names (1-32 of a-z 0-9 _) and descriptions (1-256 characters)."""
    if len(commands) > 100:
        raise SpecViolation("commands", bad_request("BOT_COMMANDS_TOO_MUCH"))
    for command in commands:
        if not _COMMAND.fullmatch(command["command"]):
            raise SpecViolation("commands", bad_request("BOT_COMMAND_INVALID"))
        if not 1 <= len(command["description"]) <= 256:
            raise SpecViolation("commands", bad_request("command description is empty"))
