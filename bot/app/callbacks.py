"""Callback data of inline buttons: short (≤ 64 bytes), carrying wave and question for staleness."""

from __future__ import annotations

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
