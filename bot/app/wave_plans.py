"""Wave plans as staff type them: times, reminders, audiences and summary schedules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from pydantic import ValidationError

from surveys.profile import PROFILE_FIELDS
from surveys.sending import ContactRules, SendingRuleError, SendWindow, parse_gap
from surveys.waves import Audience

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_OFFSET = re.compile(r"^\s*(\d+)\s*([dhm])(?:\s+before\s+close)?\s*$", re.IGNORECASE)
_FROM_NOW = re.compile(r"^\s*\+\s*(\d+)\s*([dhm])\s*$", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class WaveError(ValueError):
    """A wave operation that cannot be done; ``str()`` is one line for staff."""


def parse_time(text: str, zone: tzinfo, now: datetime) -> datetime:
    """An ISO date-time (in ``zone`` unless it has an offset), or a time from now like +14d."""
    relative = _FROM_NOW.match(text)
    if relative:
        return now + timedelta(**{_UNITS[relative.group(2).lower()]: int(relative.group(1))})
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WaveError(
            f'not a date and time: "{text}" (use e.g. 2030-05-01T09:00, or +14d / +12h from now)'
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def parse_reminder(text: str, zone: tzinfo, now: datetime) -> str:
    """A reminder as stored: an offset before closing ("3d", "12h") or an ISO time."""
    match = _OFFSET.match(text)
    if match:
        return f"{int(match.group(1))}{match.group(2).lower()}"
    try:
        return parse_time(text, zone, now).isoformat()
    except WaveError:
        raise WaveError(
            f'not a reminder: "{text}" (use an offset before closing like 3d or 12h, '
            "or a date and time like 2030-05-13T12:00 or +10d)"
        ) from None


def reminder_time(reminder: str, closes_at: datetime | None) -> datetime | None:
    """When a stored reminder fires (None for an offset when the wave has no closing time)."""
    match = _OFFSET.match(reminder)
    if match is None:
        return datetime.fromisoformat(reminder)
    if closes_at is None:
        return None
    return closes_at - timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def parse_audience(items: Sequence[str]) -> dict[str, list[str]]:
    """Audience filters from ``field=value,value`` items (none: every subscribed resident)."""
    filters: dict[str, list[str]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or not values.strip():
            raise WaveError(f'not an audience filter: "{item}" (use e.g. age_band=20s,30s)')
        if name not in PROFILE_FIELDS:
            raise WaveError(
                f'unknown audience field "{name}"; use one of {", ".join(PROFILE_FIELDS)}'
            )
        filters.setdefault(name, [])
        filters[name] += [v.strip() for v in values.split(",") if v.strip()]
    try:
        Audience(**{name: tuple(values) for name, values in filters.items()})
    except ValidationError as exc:
        raise WaveError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    return filters


def parse_summary(text: str) -> dict[str, str]:
    """A weekly summary time like "mon 09:00" (day names mon..sun, or "daily 09:00")."""
    parts = text.strip().lower().split()
    day = parts[0] if parts else ""
    if len(parts) != 2 or (day not in WEEKDAYS and day != "daily"):
        raise WaveError(f'not a summary time: "{text}" (use e.g. "mon 09:00" or "daily 18:00")')
    try:
        at = time.fromisoformat(parts[1])
    except ValueError:
        raise WaveError(f'not a time of day: "{parts[1]}" (use e.g. 09:00)') from None
    return {"day": day, "time": at.strftime("%H:%M")}


def next_summary_time(schedule: dict[str, Any], after: datetime, zone: tzinfo) -> datetime:
    """The first summary time strictly after ``after``, in the staff's time zone."""
    at = time.fromisoformat(str(schedule["time"]))
    local = after.astimezone(zone)
    for days in range(8):
        day = local.date() + timedelta(days=days)
        candidate = datetime.combine(day, at, tzinfo=zone)
        wanted = schedule["day"] == "daily" or WEEKDAYS[day.weekday()] == schedule["day"]
        if wanted and candidate > after:
            return candidate
    raise AssertionError("a weekly time always comes within 8 days")


def parse_rules(
    send_window: str | None, max_reminders: int | None, min_gap: str | None
) -> dict[str, Any]:
    """The sending rules given (as a wave stores them); options not given are left out."""
    rules: dict[str, Any] = {}
    try:
        if send_window is not None:
            rules["send_window"] = str(SendWindow.parse(send_window))
        if max_reminders is not None:
            rules["max_reminders"] = max_reminders
        if min_gap is not None:
            rules["min_gap_hours"] = parse_gap(min_gap).total_seconds() / 3600
        ContactRules.from_stored(rules)
    except SendingRuleError as exc:
        raise WaveError(str(exc)) from None
    return rules


def merge_rules(stored: dict[str, Any] | None, changes: dict[str, Any]) -> dict[str, Any]:
    """A wave's rules with these changes, complete (every default written out)."""
    try:
        return ContactRules.from_stored({**(stored or {}), **changes}).stored()
    except SendingRuleError as exc:
        raise WaveError(str(exc)) from None


def rules_text(stored: dict[str, Any] | None) -> str:
    """A wave's sending rules in one line."""
    rules = ContactRules.from_stored(stored)
    hours = rules.min_gap.total_seconds() / 3600
    return (
        f"hours {rules.window}, reminders at most {rules.max_reminders} per resident, "
        f"messages {hours:g}h apart at least"
    )


def audience_text(audience: dict[str, list[str]]) -> str:
    """An audience in one line ("everyone subscribed" when unfiltered)."""
    if not audience:
        return "everyone subscribed"
    return "; ".join(f"{name}={','.join(values)}" for name, values in sorted(audience.items()))
