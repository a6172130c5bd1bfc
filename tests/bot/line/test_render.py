"""The core's replies as LINE messages: always inside the documented limits."""

from __future__ import annotations

import pytest

from bot.app.conversation.screens import Button, Reply, Screen
from bot.demo.line_platform.limits import request_problems
from bot.line.render import messages_of, plain


def choices(count: int, label: str = "選択肢") -> tuple[tuple[Button, ...], ...]:
    """One button per row."""
    return tuple((Button(f"{label}{n}", f"A:1:q:{n}"),) for n in range(count))


def valid(messages: list[dict[str, object]]) -> list[dict[str, object]]:
    """The messages, checked as the stand-in checks a reply."""
    assert request_problems({"replyToken": "t", "messages": messages}, "replyToken") == []
    return messages


def test_html_is_plain_text_for_line() -> None:
    assert plain("<b>質問</b> &lt;増やして&gt; &amp; 駅前") == "質問 <増やして> & 駅前"


def test_up_to_13_choices_are_quick_replies_carrying_the_callback_data() -> None:
    [message] = valid(messages_of(Reply((Screen("どれですか", choices(13)),))))
    items = message["quickReply"]["items"]  # type: ignore[index]
    assert len(items) == 13
    assert items[0]["action"] == {
        "type": "postback",
        "label": "選択肢0",
        "data": "A:1:q:0",
        "displayText": "選択肢0",
    }


def test_more_than_13_choices_become_a_flex_bubble_with_every_choice() -> None:
    [message] = valid(messages_of(Reply((Screen("地区は？", choices(20)),))))
    assert message["type"] == "flex" and "quickReply" not in message
    rows = message["contents"]["body"]["contents"][1:]  # type: ignore[index]
    assert len(rows) == 20


def test_a_long_label_is_clipped_and_the_tap_shows_it_in_full() -> None:
    long = "とても長い選択肢のラベルで二十文字を超えています"
    [message] = valid(messages_of(Reply((Screen("q", ((Button(long, "A:1:q:0"),),)),))))
    action = message["quickReply"]["items"][0]["action"]  # type: ignore[index]
    assert len(action["label"]) == 20 and action["label"].endswith("…")
    assert action["displayText"] == long


def test_more_than_five_screens_are_merged_into_five() -> None:
    screens = (*(Screen(f"お知らせ{n}") for n in range(7)), Screen("質問", choices(3)))
    messages = valid(messages_of(Reply(screens)))
    assert len(messages) == 5
    assert "お知らせ0" in messages[0]["text"] and "お知らせ3" in messages[0]["text"]  # type: ignore[operator]
    assert "quickReply" in messages[-1]


def test_earlier_buttons_stay_tappable_as_flex_and_the_last_are_quick_replies() -> None:
    reply = Reply((Screen("一つ目", choices(2)), Screen("二つ目", choices(2))))
    first, second = valid(messages_of(reply))
    assert first["type"] == "flex" and "quickReply" in second


def test_a_long_text_is_cut_at_5000_characters() -> None:
    [message] = valid(messages_of(Reply((Screen("あ" * 6000),))))
    assert len(message["text"]) == 5000  # type: ignore[arg-type]


def test_a_toast_alone_is_said_and_a_stale_toast_is_not() -> None:
    assert messages_of(Reply(toast="もう一度どうぞ"))[0]["text"] == "もう一度どうぞ"
    assert messages_of(Reply(toast="古いボタンです", stale=True)) == []


def test_postback_data_over_300_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="300"):
        messages_of(Reply((Screen("q", ((Button("x", "A" * 301),),)),)))


def test_new_ticks_alone_say_what_is_ticked() -> None:
    rows = ((Button("✓ 海と山", "T:1:q:1:0"),), (Button("家族", "T:1:q:1:1"),))
    [message] = valid(messages_of(Reply((Screen("", rows),))))
    assert message["text"] == "✓ 海と山"
    assert len(message["quickReply"]["items"]) == 2  # type: ignore[index]
