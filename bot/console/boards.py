"""What the Home page shows of a wave: live counts, breakdowns, invitation progress."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import Services
from bot.waves import WaveDetails, list_waves
from surveys.profile import profile_label
from surveys.waves import WaveStatus

LIVE = (WaveStatus.OPEN, WaveStatus.SCHEDULED)
BREAKDOWNS = ("age_band", "district")


@dataclass(frozen=True)
class WaveBoard:
    """A wave with its counts and completed responses by age band and by district."""

    details: WaveDetails
    by_dimension: dict[str, list[tuple[str, int]]]

    @property
    def invitation_share(self) -> float | None:
        """Share of invitations already sent or given up (None before any was made)."""
        total = self.details.invitations_total
        return self.details.invitations_done / total if total else None


def _labelled(field: str, rows: list[tuple[object, ...]]) -> list[tuple[str, int]]:
    """Breakdown rows as (label people read, count); a missing value is 未回答."""
    return [
        (profile_label(field, str(value)) if value else "未回答", int(str(count)))
        for value, count in rows
    ]


async def live_boards(services: Services) -> list[WaveBoard]:
    """Open waves first, then scheduled ones, each with its breakdowns."""
    waves = [d for d in await list_waves(services) if d.wave.status in LIVE]
    waves.sort(key=lambda d: (LIVE.index(WaveStatus(d.wave.status)), -d.wave.id))
    boards = []
    async with services.uow() as uow:
        for details in waves:
            breakdowns = {
                field: _labelled(field, await uow.aggregates.completed_by(details.wave.id, [field]))
                for field in BREAKDOWNS
            }
            boards.append(WaveBoard(details, breakdowns))
    return boards
