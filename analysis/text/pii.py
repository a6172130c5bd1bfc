"""Mask personal information (phone, e-mail, address, names, My Number) in comments."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from analysis.text.tokens import Token, normalise, shared_tagger

PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
NAME = "name"
MY_NUMBER = "my_number"

PLACEHOLDERS: dict[str, str] = {
    PHONE: "【電話番号】",
    EMAIL: "【メール】",
    ADDRESS: "【住所】",
    NAME: "【氏名】",
    MY_NUMBER: "【個人番号】",
}

_SEP = r"[-‐−ー\s]?"
_NUM = r"[0-9一二三四五六七八九十〇]+"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MY_NUMBER = re.compile(r"(?<![0-9])[0-9]{4}[-\s]?[0-9]{4}[-\s]?[0-9]{4}(?![0-9])")
_PHONE = re.compile(
    r"(?<![0-9+])(?:\+81[-\s]?\(?0?\)?[0-9]{1,4}|\(?0[0-9]{1,4}\)?)"
    r"[-‐−ー\s()]?[0-9]{1,4}[-‐−ー\s()]?[0-9]{3,4}(?![0-9])"
)
_ADDRESS = re.compile(
    r"(?:茨城県)?(?:[\u4e00-\u9fff]{1,4}市)?[\u4e00-\u9fff々ヶヵァ-ヶー]{0,8}"
    r"(?:町|台|丘|通り?|丁目)"
    rf"\s?{_NUM}(?:丁目{_SEP}{_NUM}(?:番地?{_SEP}(?:{_NUM}号?)?|-{_NUM}(?:-{_NUM})?)?"
    rf"|番地?(?:{_NUM}号?)?|[-‐−ー]{_NUM}(?:[-‐−ー]{_NUM})?)"
)


@dataclass(frozen=True)
class MaskResult:
    """A comment with personal information replaced, and the kinds that were found."""

    text: str
    found_kinds: tuple[str, ...]


def _phone_digits_ok(match: re.Match[str]) -> bool:
    digits = re.sub(r"[^0-9]", "", match.group())
    if match.group().startswith("+81"):
        return 9 <= len(digits) - 2 <= 11
    return 10 <= len(digits) <= 11


def _replace(
    text: str,
    pattern: re.Pattern[str],
    kind: str,
    found: set[str],
    accept: Callable[[re.Match[str]], bool] | None = None,
) -> str:
    def substitute(match: re.Match[str]) -> str:
        if accept is not None and not accept(match):
            return match.group()
        found.add(kind)
        return PLACEHOLDERS[kind]

    return pattern.sub(substitute, text)


def mask_patterns(text: str) -> tuple[str, set[str]]:
    """Mask e-mail, My Number, phone and addresses in normalised text (no tokeniser)."""
    found: set[str] = set()
    text = _replace(text, _EMAIL, EMAIL, found)
    text = _replace(text, _MY_NUMBER, MY_NUMBER, found)
    text = _replace(text, _PHONE, PHONE, found, _phone_digits_ok)
    text = _replace(text, _ADDRESS, ADDRESS, found)
    return text, found


def mask_names(tokens: list[Token]) -> tuple[list[Token], bool]:
    """Replace runs of personal-name tokens with one 【氏名】 token."""
    masked: list[Token] = []
    found = False
    placeholder = PLACEHOLDERS[NAME]
    for token in tokens:
        if token.is_name:
            found = True
            if masked and masked[-1].surface == placeholder and not token.space:
                continue
            masked.append(Token(placeholder, placeholder, False, token.space))
        else:
            masked.append(token)
    return masked, found


def join_tokens(tokens: list[Token]) -> str:
    """Rebuild text from tokens, keeping the original spacing."""
    return "".join(token.space + token.surface for token in tokens)


def mask_and_tokenise(
    text: str, tokenise: Callable[[str], list[Token]] = shared_tagger, is_normalised: bool = False
) -> tuple[MaskResult, list[Token]]:
    """Normalise, mask and tokenise a comment once; return the mask result and its tokens."""
    masked, found = mask_patterns(text if is_normalised else normalise(text))
    tokens, has_name = mask_names(tokenise(masked))
    if has_name:
        found.add(NAME)
        masked = join_tokens(tokens)
    return MaskResult(masked, tuple(sorted(found))), tokens


def mask_personal_info(text: str) -> MaskResult:
    """Return the comment with personal information replaced by 【…】 placeholders."""
    return mask_and_tokenise(text)[0]
