"""What the Home page shows of a wave: live counts, breakdowns, invitation progress, and what
waits for the sending hours (bot/app/waves.py's wave_details, as `wave show` and /wave N)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.app.services import Services
from bot.app.waves import WaveDetails, list_waves, wave_details
from surveys.profile import profile_label
from surveys.sending import ContactRules
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

    @property
    def send_window(self) -> str:
        """The wave's sending hours as staff read them: 09:00〜20:00."""
        return str(ContactRules.from_stored(self.details.wave.contact_rules).window).replace(
            "-", "〜"
        )


def _labelled(field: str, rows: list[tuple[object, ...]]) -> list[tuple[str, int]]:
    """Breakdown rows as (label people read, count); a missing value is 未回答."""
    return [
        (profile_label(field, str(value)) if value else "未回答", int(str(count)))
        for value, count in rows
    ]


async def live_boards(services: Services) -> list[WaveBoard]:
    """Open waves first, then scheduled ones, each with its breakdowns."""
    live = [d.wave for d in await list_waves(services) if d.wave.status in LIVE]
    live.sort(key=lambda w: (LIVE.index(WaveStatus(w.status)), -w.id))
    waves = [await wave_details(services, wave.id) for wave in live]  # with what waits
    boards = []
    async with services.uow() as uow:
        for details in waves:
            breakdowns = {
                field: _labelled(field, await uow.aggregates.completed_by(details.wave.id, [field]))
                for field in BREAKDOWNS
            }
            boards.append(WaveBoard(details, breakdowns))
    return boards
