"""Telegram HTML and MarkdownV2 become the plain text and entities a resident sees."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.demo.botapi.formatting import ParseError, parse_html, parse_markdown_v2, utf16_len


def test_supported_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html(
        '😀<b>太字</b> <a href="https://example.jp/?a=1&amp;b=2">リンク</a>'
    )
    assert text == "😀太字 リンク"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 2},
        {"type": "text_link", "url": "https://example.jp/?a=1&b=2", "offset": 5, "length": 3},
    ]


def test_entities_and_numeric_references_are_decoded() -> None:
    assert (
        parse_html("&lt;tag&gt; &amp; &quot;q&quot; &#12354; &#x1F600;")[0] == '<tag> & "q" あ 😀'
    )


def test_spoiler_blockquote_and_pre_with_language() -> None:
    source = (
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
        '<pre><code class="language-python">x</code></pre>'
    )
    kinds = [entity["type"] for entity in parse_html(source)[1]]
    assert kinds == ["spoiler", "expandable_blockquote", "pre"]
    assert parse_html(source)[1][2]["language"] == "python"


def test_a_span_without_the_spoiler_class_is_unsupported() -> None:
    with pytest.raises(ParseError, match="Unsupported start tag"):
        parse_html('<span class="x">a</span>')


@given(st.text())
def test_any_escaped_text_parses_back_to_itself(text: str) -> None:
    assert parse_html(html.escape(text, quote=False))[0] == text


def test_markdown_v2_entities_and_escapes() -> None:
    text, entities = parse_markdown_v2(r"*太字* _斜体_ 3\.5 [リンク](https://example.jp)")
    assert text == "太字 斜体 3.5 リンク"
    assert [entity["type"] for entity in entities] == ["bold", "italic", "text_link"]


def test_markdown_v2_unclosed_entity_is_an_error() -> None:
    with pytest.raises(ParseError, match="Can't find end of bold entity"):
        parse_markdown_v2("*太字")


def test_utf16_length_counts_surrogate_pairs() -> None:
    assert utf16_len("a😀") == 3
