"""When and how often residents are written to: sending hours and reminder rules (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

DEFAULT_WINDOW = "09:00-20:00"
DEFAULT_MAX_REMINDERS = 2
DEFAULT_MIN_GAP = timedelta(hours=24)
_WINDOW = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")
_GAP = re.compile(r"^\s*(\d+)\s*([dh])\s*$", re.IGNORECASE)


class SendingRuleError(ValueError):
    """A sending window or reminder rule that cannot be used; ``str()`` is one line for staff."""


def _clock_time(text: str, whole: str) -> time:
    """A time of day like 09:00, or a one-line error naming the whole window."""
    try:
        return time.fromisoformat(text.zfill(5))
    except ValueError:
        raise SendingRuleError(f'not a time of day in "{whole}": {text} (use e.g. 09:00)') from None


@dataclass(frozen=True)
class SendWindow:
    """The hours of the day (in the staff's time zone) when residents may be written to."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> SendWindow:
        """A window like "10:00-19:00"; "21:00-07:00" runs over midnight, "00:00-24:00" all day."""
        match = _WINDOW.match(text)
        if match is None:
            raise SendingRuleError(f'not a sending window: "{text}" (use e.g. 10:00-19:00)')
        first, last = match.groups()
        start = _clock_time(first, text)
        end = time(0, 0) if last == "24:00" else _clock_time(last, text)
        if start == end and last != "24:00":
            raise SendingRuleError(f'the sending window "{text}" starts and ends at the same time')
        return cls(start, end)

    def __str__(self) -> str:
        end = "24:00" if self.end == time(0, 0) else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"

    def contains(self, moment: time) -> bool:
        """Whether a time of day is inside the window (its start is, its end is not)."""
        if self.start == self.end:
            return True  # 00:00-24:00: all day
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def next_send_time(self, at: datetime, zone: tzinfo) -> datetime:
        """``at`` itself when inside the window, else the window's next opening after it."""
        local = at.astimezone(zone)
        if self.contains(local.time().replace(tzinfo=None)):
            return at
        opening = datetime.combine(local.date(), self.start, tzinfo=zone)
        return opening if opening > local else opening + timedelta(days=1)


DEFAULT_SEND_WINDOW = SendWindow.parse(DEFAULT_WINDOW)


def parse_gap(text: str) -> timedelta:
    """A minimum gap between two messages like "24h" or "2d"."""
    match = _GAP.match(text)
    if match is None:
        raise SendingRuleError(f'not a gap: "{text}" (use e.g. 24h or 2d)')
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


@dataclass(frozen=True)
class ContactRules:
    """A wave's rules for writing to residents: sending hours, reminder cap, minimum gap."""

    window: SendWindow = DEFAULT_SEND_WINDOW
    max_reminders: int = DEFAULT_MAX_REMINDERS
    min_gap: timedelta = DEFAULT_MIN_GAP

    def __post_init__(self) -> None:
        if self.max_reminders < 0:
            raise SendingRuleError("the number of reminders cannot be negative")
        if self.min_gap < timedelta(0):
            raise SendingRuleError("the gap between two messages cannot be negative")

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None) -> ContactRules:
        """The rules as stored with a wave (a missing value takes its default)."""
        stored = stored or {}
        return cls(
            window=SendWindow.parse(str(stored.get("send_window", DEFAULT_WINDOW))),
            max_reminders=int(stored.get("max_reminders", DEFAULT_MAX_REMINDERS)),
            min_gap=timedelta(
                hours=float(stored.get("min_gap_hours", DEFAULT_MIN_GAP.total_seconds() / 3600))
            ),
        )

    def stored(self) -> dict[str, Any]:
        """The rules as a wave stores them."""
        return {
            "send_window": str(self.window),
            "max_reminders": self.max_reminders,
            "min_gap_hours": self.min_gap.total_seconds() / 3600,
        }

    def next_send_time(self, at: datetime, zone: tzinfo) -> datetime:
        """The first moment at or after ``at`` when this wave may write to residents."""
        return self.window.next_send_time(at, zone)
