"""Callback data of inline buttons: short (≤ 64 bytes), carrying wave and question for staleness.

One scheme for every button: residents' kinds are one capital letter, staff's a lowercase
prefix (wv: the /wave buttons, rv: the comment review, cm: the comment pages); each kind is
made and read here, and the Telegram handlers match the patterns below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from analysis.taxonomy import GOAL_IDS, OTHER

MAX_BYTES = 64
SEPARATOR = ":"

LANGUAGE = "L"  # L:<lang>
CONSENT = "C"  # C:<y|n>:<lang>
PROFILE = "P"  # P:<question>:<choice index>:<u = updating>
PROFILE_BACK = "Q"  # Q:<question>:<u>
ANSWER = "A"  # A:<wave>:<question>:<choice index | - = skip>
TOGGLE = "T"  # T:<wave>:<question>:<mask>:<choice index>
NEXT = "N"  # N:<wave>:<question>:<mask>
BACK = "B"  # B:<wave>:<question | - = from the review>
CHANGE = "E"  # E:<wave>:<question>
SUBMIT = "X"  # X:<wave>
DELETE = "D"  # D:<y|n>
WAVE = "W"  # W:<wave> (invitation button)
SKIP = "-"
RESIDENT_KINDS = (
    LANGUAGE,
    CONSENT,
    PROFILE,
    PROFILE_BACK,
    ANSWER,
    TOGGLE,
    NEXT,
    BACK,
    CHANGE,
    SUBMIT,
    DELETE,
    WAVE,
)
RESIDENT_PATTERN = rf"^[{''.join(RESIDENT_KINDS)}]{SEPARATOR}"
"""The residents' buttons (the Telegram handler's pattern)."""


def pack(kind: str, *parts: object) -> str:
    """Join a kind and its parts; refuses data Telegram would reject."""
    data = SEPARATOR.join([kind, *(str(part) for part in parts)])
    if not 1 <= len(data.encode("utf-8")) <= MAX_BYTES:
        raise ValueError(f"callback data of {len(data.encode())} bytes (limit {MAX_BYTES})")
    return data


def unpack(data: str | None) -> tuple[str, list[str]]:
    """The kind and parts of callback data ('' for data this bot did not make)."""
    if not data:
        return "", []
    kind, *parts = data.split(SEPARATOR)
    return kind, parts


def start_wave_data(wave_id: int) -> str:
    """Data for an invitation button that opens a wave's survey."""
    return pack(WAVE, wave_id)


def toggled(mask: int, index: int) -> int:
    """The multi-choice selection with choice `index` switched."""
    return mask ^ (1 << index)


def mask_of(indices: list[int] | tuple[int, ...]) -> int:
    """The bit mask of selected choice indices."""
    mask = 0
    for index in indices:
        mask |= 1 << index
    return mask


def indices_of(mask: int, count: int) -> list[int]:
    """Selected choice indices of a mask, in order."""
    return [index for index in range(count) if mask >> index & 1]


def parse_int(text: str, default: int | None = None) -> int | None:
    """An int from callback data, or `default` for anything else."""
    try:
        return int(text, 0) if text.startswith("0x") else int(text)
    except ValueError:
        return default


# -- staff: the /wave buttons, the comment review, the comment pages ---------------------------
STAFF_WAVE = "wv"  # wv:<action>:<wave>
REVIEW = "rv"  # rv:<comment>:<action>:<goal mask>
COMMENTS_PAGE = "cm"  # cm:<goal>:<page>
STAFF_WAVE_PATTERN = rf"^{STAFF_WAVE}{SEPARATOR}"
REVIEW_PATTERN = rf"^{REVIEW}{SEPARATOR}"
COMMENTS_PAGE_PATTERN = rf"^{COMMENTS_PAGE}{SEPARATOR}"
GOAL_MASK = 0b1111
"""Goals 1-4 as bits (0: その他)."""


class WaveAction(StrEnum):
    """What a /wave button does (the lowercase ones ask first, their capitals do it)."""

    ASK_OPEN = "o"
    OPEN = "O"
    ASK_CLOSE = "c"
    CLOSE = "C"
    SCHEDULE = "s"
    PREVIEW_RESULTS = "r"
    SEND_RESULTS = "R"
    REFRESH = "v"


class ReviewAction(StrEnum):
    """A review tap: label with the goals, toggle goals, back to one tap, or skip."""

    LABEL = "ok"
    TOGGLE = "m"
    BACK = "b"
    SKIP = "s"


@dataclass(frozen=True)
class WaveTap:
    """A /wave button tapped."""

    action: WaveAction
    wave_id: int


@dataclass(frozen=True)
class ReviewTap:
    """A review button tapped: the comment, the action and the goals ticked."""

    comment_id: int
    action: ReviewAction
    mask: int


@dataclass(frozen=True)
class CommentsPage:
    """A page of one goal's comments."""

    goal: str
    page: int


_WAVE_DATA = re.compile(rf"^{STAFF_WAVE}:([{''.join(WaveAction)}]):(\d+)$")
_REVIEW_DATA = re.compile(rf"^{REVIEW}:(\d+):({'|'.join(ReviewAction)}):(\d{{1,2}})$")
_PAGE_DATA = re.compile(rf"^{COMMENTS_PAGE}:({'|'.join((*GOAL_IDS, OTHER))}):(\d{{1,4}})$")


def wave_data(action: WaveAction, wave_id: int) -> str:
    """Data of a /wave button."""
    return pack(STAFF_WAVE, action, wave_id)


def parse_wave(data: str | None) -> WaveTap | None:
    """A /wave button's data read back (None for anything else)."""
    match = _WAVE_DATA.match(data or "")
    return WaveTap(WaveAction(match[1]), int(match[2])) if match else None


def review_data(comment_id: int, action: ReviewAction, mask: int = 0) -> str:
    """Data of a review button."""
    return pack(REVIEW, comment_id, action, mask & GOAL_MASK)


def parse_review(data: str | None) -> ReviewTap | None:
    """A review button's data read back (None for anything else)."""
    match = _REVIEW_DATA.match(data or "")
    if match is None:
        return None
    return ReviewTap(int(match[1]), ReviewAction(match[2]), int(match[3]) & GOAL_MASK)


def comments_page_data(goal: str, page: int) -> str:
    """Data of a 前へ / 次へ button of a goal's comments."""
    return pack(COMMENTS_PAGE, goal, page)


def parse_comments_page(data: str | None) -> CommentsPage | None:
    """A comment page button's data read back (None for anything else)."""
    match = _PAGE_DATA.match(data or "")
    return CommentsPage(match[1], int(match[2])) if match else None
