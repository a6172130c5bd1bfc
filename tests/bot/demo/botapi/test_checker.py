"""The spec checker refuses what Telegram refuses, in Telegram's words, and lets valid calls by."""

from __future__ import annotations

from typing import Any

import pytest

from bot.demo.botapi.checker import SpecChecker, SpecViolation
from bot.demo.botapi.limits import check_limits

checker = SpecChecker()


def check(method: str, params: dict[str, Any], *, form: bool = False) -> dict[str, Any]:
    """Run the spec check and the limits check like the server does."""
    name = checker.method_name(method)
    decoded = checker.check_call(name, params, form=form)
    check_limits(name, decoded)
    return decoded


def refusal(method: str, params: dict[str, Any], *, form: bool = False) -> SpecViolation:
    """The violation raised for a call that must be refused."""
    with pytest.raises(SpecViolation) as caught:
        check(method, params, form=form)
    return caught.value


KEYBOARD = {"inline_keyboard": [[{"text": "はい", "callback_data": "q1:yes"}]]}


def test_a_valid_message_with_keyboard_passes_and_is_returned_decoded() -> None:
    params = {
        "chat_id": 5,
        "text": "<b>質問</b> 1/9",
        "parse_mode": "HTML",
        "reply_markup": KEYBOARD,
    }
    assert check("sendMessage", params) == params


def test_form_encoded_values_are_decoded_like_telegram_does() -> None:
    form = {
        "chat_id": "5",
        "text": "hi",
        "disable_notification": "true",
        "reply_markup": '{"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]}',
    }
    decoded = check("sendMessage", form, form=True)
    assert decoded["chat_id"] == 5
    assert decoded["disable_notification"] is True
    assert decoded["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "x"


def test_method_names_are_case_insensitive() -> None:
    assert checker.method_name("sendmessage") == "sendMessage"


def test_an_unknown_method_is_not_found() -> None:
    violation = refusal("sendTelepathy", {})
    assert (violation.kind, violation.error.error_code) == ("unknown_method", 404)


def test_a_missing_required_parameter_is_refused() -> None:
    violation = refusal("sendMessage", {"chat_id": 5})
    assert violation.kind == "missing_parameter"
    assert violation.error.description == "Bad Request: message text is empty"


def test_an_unknown_parameter_is_refused() -> None:
    assert refusal("sendMessage", {"chat_id": 5, "text": "a", "colour": "red"}).kind == (
        "unknown_parameter"
    )


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("sendMessage", {"chat_id": 5, "text": 42}),
        ("sendMessage", {"chat_id": True, "text": "a"}),
        ("sendMessage", {"chat_id": 5, "text": "a", "disable_notification": "yes"}),
        ("sendMessage", {"chat_id": 5, "text": "a", "reply_markup": {"inline_keyboard": "x"}}),
        ("answerCallbackQuery", {"callback_query_id": "1", "cache_time": 1.5}),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(method: str, params: dict[str, Any]) -> None:
    assert refusal(method, params).kind == "wrong_type"


def test_nested_objects_are_checked_field_by_field() -> None:
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "x", "colour": "red"}]]}
    violation = refusal("sendMessage", {"chat_id": 5, "text": "a", "reply_markup": markup})
    assert 'unknown field "colour" in InlineKeyboardButton' in violation.error.description


def test_a_union_type_picks_the_subtype_by_its_type_field() -> None:
    commands = [{"command": "start", "description": "はじめる"}]
    assert check("setMyCommands", {"commands": commands, "scope": {"type": "all_private_chats"}})
    violation = refusal("setMyCommands", {"commands": commands, "scope": {"type": "everyone"}})
    assert violation.kind == "wrong_type"


def test_callback_data_of_65_bytes_is_refused_but_64_pass() -> None:
    def keyboard(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "a", "callback_data": data}]]}

    check("sendMessage", {"chat_id": 5, "text": "a", "reply_markup": keyboard("あ" * 21 + "x")})
    violation = refusal(
        "sendMessage", {"chat_id": 5, "text": "a", "reply_markup": keyboard("あ" * 21 + "xy")}
    )
    assert violation.error.description == "Bad Request: BUTTON_DATA_INVALID"


def test_a_button_needs_exactly_one_action() -> None:
    bare = {"inline_keyboard": [[{"text": "a"}]]}
    both = {"inline_keyboard": [[{"text": "a", "callback_data": "x", "url": "https://a"}]]}
    for markup in (bare, both):
        violation = refusal("sendMessage", {"chat_id": 5, "text": "a", "reply_markup": markup})
        assert violation.kind == "button_action"


def test_text_of_4097_characters_is_too_long_but_4096_pass() -> None:
    check("sendMessage", {"chat_id": 5, "text": "あ" * 4096})
    violation = refusal("sendMessage", {"chat_id": 5, "text": "あ" * 4097})
    assert violation.error.description == "Bad Request: message is too long"


def test_the_length_limit_counts_text_after_html_parsing() -> None:
    check("sendMessage", {"chat_id": 5, "text": "<b>" + "a" * 4096 + "</b>", "parse_mode": "HTML"})


def test_whitespace_only_text_is_empty() -> None:
    assert refusal("sendMessage", {"chat_id": 5, "text": " \n"}).error.description == (
        "Bad Request: message text is empty"
    )


@pytest.mark.parametrize(
    "text", ["<b>unclosed", "a & b", "1 < 2", "<script>x</script>", "<b><i>x</b></i>", "x</b>"]
)
def test_broken_html_cannot_be_parsed(text: str) -> None:
    violation = refusal("sendMessage", {"chat_id": 5, "text": text, "parse_mode": "HTML"})
    assert violation.error.description.startswith("Bad Request: can't parse entities: ")


def test_broken_markdown_v2_cannot_be_parsed() -> None:
    violation = refusal("sendMessage", {"chat_id": 5, "text": "3.5", "parse_mode": "MarkdownV2"})
    assert "reserved" in violation.error.description


def test_callback_answer_text_is_limited_to_200_characters() -> None:
    check("answerCallbackQuery", {"callback_query_id": "1", "text": "あ" * 200})
    assert refusal("answerCallbackQuery", {"callback_query_id": "1", "text": "あ" * 201}).kind == (
        "answer_too_long"
    )


def test_caption_is_limited_to_1024_characters() -> None:
    params = {"chat_id": 5, "document": "file-id", "caption": "a" * 1025}
    assert refusal("sendDocument", params).kind == "caption_too_long"


def test_command_names_follow_telegrams_rules() -> None:
    bad = [{"command": "Start", "description": "x"}]
    assert refusal("setMyCommands", {"commands": bad}).error.description == (
        "Bad Request: BOT_COMMAND_INVALID"
    )
