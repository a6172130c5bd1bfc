"""Data to report on: deterministic imported responses, a closed wave of chat and mail ones,
and an indicators' targets file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from analysis.stats.cells import AGE_BANDS
from tests.builders import NOW, UowFactory, make_bundled_wave

DISTRICTS = ("juo", "hokubu", "chubu", "nakasato", "taga", "nanbu")
TARGETS = """indicators:
  residency_intent:
    baseline: {year: 2019, value: 50.0}
    target: {year: 2029, value: 70.0}
"""


def resident_rows(
    count: int, prefix: str, mode: str, *, shift: int = 0
) -> Iterator[dict[str, Any]]:
    """Deterministic responses: ages, sexes and districts cycle; answers follow the index."""
    for i in range(count):
        k = i + shift
        yield {
            "ref": f"{prefix}{i:05d}",
            "mode": mode,
            "profile": {
                "age_band": AGE_BANDS[k % len(AGE_BANDS)],
                "sex": ("male", "female")[k % 2],
                "district": DISTRICTS[k % len(DISTRICTS)],
                "years_lived": "10-19",
            },
            "answers": {
                "livability": ("livable", "somewhat_livable", "neutral", "unlivable")[k % 4],
                "residency_intent": ("always", "for_now", "leave", None, "unsure")[k % 5],
            },
        }


async def add_rows(uow_factory: UowFactory, wave_id: int, rows: Iterator[dict[str, Any]]) -> None:
    """Store complete responses of any mode."""
    async with uow_factory() as uow:
        for row in rows:
            await uow.imports.add(
                wave_id, row["ref"], row["mode"], row["profile"], row["answers"], NOW
            )
        await uow.commit()


async def seed_wave(
    uow_factory: UowFactory,
    name: str = "2025 spring",
    chat: int = 300,
    mail: int = 100,
    status: str = "closed",
) -> int:
    """The bundled survey and a wave (closed: out of embargo) with chat and mail responses."""
    wave = await make_bundled_wave(uow_factory, name=name, status=status)
    await add_rows(uow_factory, wave.id, resident_rows(chat, f"{name}-c", "chat"))
    await add_rows(uow_factory, wave.id, resident_rows(mail, f"{name}-m", "mail", shift=1))
    return wave.id
