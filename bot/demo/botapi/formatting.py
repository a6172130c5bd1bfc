"""Telegram's message formatting: HTML and MarkdownV2 parsed into plain text and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class ParseError(ValueError):
    """The text cannot be parsed with its parse_mode (Telegram: `can't parse entities`)."""


def utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, as Telegram counts offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Builder:
    """Accumulates plain text and entities while a parser walks the source."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def close(self, entity: dict[str, Any], start: int) -> None:
        if self.length > start and not entity["type"].startswith("_"):
            entity["offset"] = start
            entity["length"] = self.length - start
            self.entities.append(entity)

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR = re.compile(r"""\s*([a-zA-Z_][-a-zA-Z0-9_]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_TAG_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entity_at(text: str, i: int) -> tuple[str, int]:
    """Decode the character entity starting at text[i] == '&'; return (char, next index)."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        raise ParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
        )
    name = text[i + 1 : end]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    try:
        if name.startswith(("#x", "#X")):
            code = int(name[2:], 16)
        elif name.startswith("#"):
            code = int(name[1:], 10)
        else:
            raise ValueError(name)
        return chr(code), end + 1
    except (ValueError, OverflowError):
        raise ParseError(
            f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(text, i)}'
        ) from None


def _parse_attributes(source: str, text: str, at: int) -> dict[str, str]:
    attributes: dict[str, str] = {}
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _ATTR.match(source, pos)
        if not match or match.end() == pos:
            raise ParseError(f"Unexpected attribute syntax at byte offset {_byte_offset(text, at)}")
        value = match.group(2) or ""
        if value[:1] in "\"'":
            value = value[1:-1]
        attributes[match.group(1).lower()] = _decode_entities(value, text, at)
        pos = match.end()
    return attributes


def _decode_entities(value: str, text: str, at: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            char, i = _entity_at(value, i)
            out.append(char)
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _html_entity(name: str, attributes: dict[str, str], text: str, at: int) -> dict[str, Any]:
    """Return the entity a supported start tag opens, or raise for an unsupported one."""
    where = f"at byte offset {_byte_offset(text, at)}"
    if name in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[name]}
    if name == "span" and attributes.get("class") == "tg-spoiler":
        return {"type": "spoiler"}
    if name == "a":
        href = attributes.get("href", "")
        if href.startswith("tg://user?id="):
            return {"type": "text_mention", "user": {"id": int(href.split("=", 1)[1] or 0)}}
        return {"type": "text_link", "url": href}
    if name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attributes else "blockquote"
        return {"type": kind}
    if name == "tg-emoji":
        if "emoji-id" not in attributes:
            raise ParseError(f"Custom emoji identifier expected {where}")
        return {"type": "custom_emoji", "custom_emoji_id": attributes["emoji-id"]}
    if name == "tg-time":
        return {"type": "date_time", "unix_time": int(attributes.get("unix", "0") or 0)}
    raise ParseError(f'Unsupported start tag "{name}" {where}')


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and entities, or raise ParseError."""
    out = _Builder()
    stack: list[tuple[str, dict[str, Any], int]] = []
    i = 0
    plain_start = 0
    while i < len(text):
        char = text[i]
        if char not in "<&":
            i += 1
            continue
        out.add(text[plain_start:i])
        if char == "&":
            decoded, i = _entity_at(text, i)
            out.add(decoded)
            plain_start = i
            continue
        end = text.find(">", i)
        if end == -1:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
        inner = text[i + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            open_name, entity, start = stack.pop()
            if name != open_name:
                raise ParseError(f'Can\'t find end tag corresponding to start tag "{open_name}"')
            out.close(entity, start)
        else:
            match = _TAG_NAME.match(inner)
            if not match:
                raise ParseError(f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}')
            name = match.group(0).lower()
            attributes = _parse_attributes(inner[match.end() :].rstrip("/"), text, i)
            if name == "code" and stack and stack[-1][0] == "pre":
                language = attributes.get("class", "")
                if language.startswith("language-"):
                    stack[-1][1]["language"] = language[len("language-") :]
                entity = {"type": "_code_in_pre"}
            else:
                entity = _html_entity(name, attributes, text, i)
            stack.append((name, entity, out.length))
        i = end + 1
        plain_start = i
    out.add(text[plain_start:])
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD_TOGGLES = [
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
]


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram MarkdownV2 into plain text and entities, or raise ParseError."""
    out = _Builder()
    stack: list[tuple[str, dict[str, Any], int, int]] = []
    i = 0
    line_start = True
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text):
                raise ParseError(f"Unexpected end of text at byte offset {_byte_offset(text, i)}")
            out.add(text[i + 1])
            i += 2
            line_start = False
            continue
        if char == "`":
            i = _markdown_code(text, i, out)
            line_start = False
            continue
        if char == ">" and line_start:
            i += 1
            line_start = False
            continue
        if char == "[":
            stack.append(("[", {"type": "text_link"}, out.length, i))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            _, entity, start, _at = stack.pop()
            if text[i + 1 : i + 2] != "(":
                raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
            close = text.find(")", i + 2)
            if close == -1:
                raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
            entity["url"] = text[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
            out.close(entity, start)
            i = close + 1
            continue
        toggled = False
        for marker, kind in _MD_TOGGLES:
            if text.startswith(marker, i):
                if stack and stack[-1][0] == marker:
                    _, entity, start, _at = stack.pop()
                    out.close(entity, start)
                elif any(item[0] == marker for item in stack):
                    raise ParseError(
                        f"Can't find end of {kind} entity at byte offset {_byte_offset(text, i)}"
                    )
                else:
                    stack.append((marker, {"type": kind}, out.length, i))
                i += len(marker)
                toggled = True
                break
        if toggled:
            line_start = False
            continue
        if char in MARKDOWN_V2_RESERVED:
            raise ParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(char)
        line_start = char == "\n"
        i += 1
    if stack:
        marker, entity, _start, at = stack[-1]
        raise ParseError(
            f"Can't find end of {entity['type']} entity at byte offset {_byte_offset(text, at)}"
        )
    return out.result()


def _markdown_code(text: str, i: int, out: _Builder) -> int:
    """Parse inline code or a pre block starting at text[i]; return the index after it."""
    fence = "```" if text.startswith("```", i) else "`"
    body_start = i + len(fence)
    j = body_start
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(fence, j):
            break
        j += 1
    else:
        kind = "pre" if fence == "```" else "code"
        raise ParseError(f"Can't find end of {kind} entity at byte offset {_byte_offset(text, i)}")
    body = text[body_start:j]
    entity: dict[str, Any] = {"type": "code"}
    if fence == "```":
        entity = {"type": "pre"}
        first, newline, rest = body.partition("\n")
        if newline and first and " " not in first:
            entity["language"] = first
            body = rest
    body = re.sub(r"\\(.)", r"\1", body)
    start = out.length
    out.add(body)
    out.close(entity, start)
    return j + len(fence)


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Parse `text` according to `parse_mode` (None, HTML, MarkdownV2 or Markdown)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return text, []
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")
