"""Mask personal information (phone, e-mail, address, names, My Number) in comments."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from analysis.text.tokens import (
    NAME_POS,
    LazyTagger,
    Token,
    Words,
    lemmas_of,
    normalise,
    shared_tagger,
)

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
    r"(?<![0-9+])(?:\+81[-\s]?\(?0?\)?[0-9]{1,4}|\(0[0-9]{1,4}\)|0[0-9]{1,4})"
    r"[-‐−ー\s()]?[0-9]{1,4}[-‐−ー\s()]?[0-9]{3,4}(?![0-9])"
)
_ADDRESS = re.compile(
    r"(?:茨城県)?(?:[\u4e00-\u9fff]{1,4}市)?[\u4e00-\u9fff々ヶヵァ-ヶー]{0,8}"
    r"(?:町|台|丘|通り?|丁目)"
    rf"\s?{_NUM}(?:丁目{_SEP}{_NUM}(?:番地?{_SEP}(?:{_NUM}号?)?|-{_NUM}(?:-{_NUM})?)?"
    rf"|番地?(?:{_NUM}号?)?|[-‐−ー]{_NUM}(?:[-‐−ー]{_NUM})?)"
)
# Every pattern above needs an "@", an ASCII digit or an address word before a number: texts
# without any of these are returned at once (most comments), sparing the costly address search.
_MAYBE_PERSONAL = re.compile(rf"[0-9@]|(?:町|台|丘|通り?|丁目)\s?{_NUM}")
PLACES_FILE = Path(__file__).resolve().parents[1] / "data" / "hitachi_places.txt"
# A place name followed by an honorific is somebody's surname (助川さん), not the place.
_HONORIFIC = r"(?!\s?(?:さん|さま|様|君|くん|ちゃん|氏|先生|殿))"


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
    if _MAYBE_PERSONAL.search(text) is None:
        return text, found
    text = _replace(text, _EMAIL, EMAIL, found)
    text = _replace(text, _MY_NUMBER, MY_NUMBER, found)
    text = _replace(text, _PHONE, PHONE, found, _phone_digits_ok)
    text = _replace(text, _ADDRESS, ADDRESS, found)
    return text, found


@cache
def place_pattern() -> re.Pattern[str]:
    """Hitachi's place names from the gazetteer (longest first), never masked as names."""
    lines = PLACES_FILE.read_text(encoding="utf-8").splitlines()
    names = {normalise(line.split("#", 1)[0]) for line in lines} - {""}
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(f"(?:{alternatives}){_HONORIFIC}")


def _places_covered(text: str) -> bytearray:
    """One flag per character of the text: 1 where it is part of a Hitachi place name."""
    covered = bytearray(len(text))
    for match in place_pattern().finditer(text):
        covered[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return covered


def names_outside_places(
    spaces: Sequence[str], surfaces: Sequence[str], names: Sequence[bool]
) -> list[bool]:
    """The words' name flags, cleared for each run of name words inside a place name."""
    starts: list[int] = []
    position = 0
    for space, surface in zip(spaces, surfaces, strict=True):
        starts.append(position + len(space))
        position = starts[-1] + len(surface)
    covered = _places_covered("".join(s + w for s, w in zip(spaces, surfaces, strict=True)))
    flags = list(names)
    first = 0
    while first < len(flags):
        last = first
        if flags[first]:
            while last + 1 < len(flags) and flags[last + 1] and not spaces[last + 1]:
                last += 1
            if all(covered[starts[first] : starts[last] + len(surfaces[last])]):
                flags[first : last + 1] = [False] * (last + 1 - first)
        first = last + 1
    return flags


def mask_names(tokens: list[Token]) -> tuple[list[Token], bool]:
    """Replace runs of personal-name tokens with one 【氏名】 token (place names are kept)."""
    masked: list[Token] = []
    found = False
    placeholder = PLACEHOLDERS[NAME]
    flags = [token.is_name for token in tokens]
    if any(flags):
        spaces, surfaces = [t.space for t in tokens], [t.surface for t in tokens]
        flags = names_outside_places(spaces, surfaces, flags)
    for token, is_name in zip(tokens, flags, strict=True):
        if token.is_name and not is_name:
            masked.append(token._replace(is_name=False))
        elif is_name:
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


def _mask_name_words(words: Words, names: list[bool]) -> tuple[str, list[str]]:
    """Rebuild text and lemmas with runs of personal-name words turned into one 【氏名】."""
    placeholder = PLACEHOLDERS[NAME]
    parts: list[str] = []
    lemmas: list[str] = []
    after_name = False
    for space, surface, lemma, is_name in zip(
        words.spaces, words.surfaces, lemmas_of(words), names, strict=True
    ):
        if is_name:
            if not (after_name and not space):
                parts.append(space + placeholder)
                lemmas.append(placeholder)
            after_name = True
        else:
            parts.append(space + surface)
            lemmas.append(lemma)
            after_name = False
    return "".join(parts), lemmas


def mask_and_lemmatise(
    text: str, tagger: LazyTagger = shared_tagger, is_normalised: bool = False
) -> tuple[MaskResult, list[str]]:
    """Like mask_and_tokenise, but return only the words' lemmas (the fast path for features)."""
    masked, found = mask_patterns(text if is_normalised else normalise(text))
    words = tagger.words(masked)
    if not words.has_names():
        return MaskResult(masked, tuple(sorted(found))), lemmas_of(words)
    names = names_outside_places(words.spaces, words.surfaces, [p == NAME_POS for p in words.pos])
    if not any(names):
        return MaskResult(masked, tuple(sorted(found))), lemmas_of(words)
    found.add(NAME)
    masked, lemmas = _mask_name_words(words, names)
    return MaskResult(masked, tuple(sorted(found))), lemmas


def mask_personal_info(text: str) -> MaskResult:
    """Return the comment with personal information replaced by 【…】 placeholders."""
    return mask_and_tokenise(text)[0]
