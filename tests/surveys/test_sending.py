"""Sending hours and reminder rules: when a message to residents may go out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from surveys.sending import ContactRules, SendingRuleError, SendWindow, parse_gap

TOKYO = ZoneInfo("Asia/Tokyo")
DEFAULT = SendWindow.parse("09:00-20:00")


def tokyo(day: int, hour: int, minute: int = 0) -> datetime:
    """A December 2026 time in Tokyo."""
    return datetime(2026, 12, day, hour, minute, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("at", "sends_at"),
    [
        (tokyo(2, 23, 0), tokyo(3, 9, 0)),  # a wave that opens at night sends next morning
        (tokyo(2, 8, 59), tokyo(2, 9, 0)),  # a restart just before opening waits a minute
        (tokyo(2, 9, 0), tokyo(2, 9, 0)),  # the opening itself is inside
        (tokyo(2, 12, 30), tokyo(2, 12, 30)),
        (tokyo(2, 19, 59), tokyo(2, 19, 59)),
        (tokyo(2, 20, 0), tokyo(3, 9, 0)),  # the closing minute is outside
        (tokyo(2, 0, 0), tokyo(2, 9, 0)),
        (tokyo(31, 22, 0), datetime(2027, 1, 1, 9, 0, tzinfo=TOKYO)),  # over the year's end
    ],
)
def test_the_default_window_sends_only_between_nine_and_eight(
    at: datetime, sends_at: datetime
) -> None:
    assert DEFAULT.next_send_time(at, TOKYO) == sends_at


def test_a_time_given_in_utc_is_judged_by_the_clock_in_tokyo() -> None:
    # 14:00 UTC is 23:00 in Tokyo: the next morning at 09:00 Tokyo is 00:00 UTC
    at = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert DEFAULT.next_send_time(at, TOKYO) == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


def test_a_window_set_per_wave_moves_the_opening() -> None:
    window = SendWindow.parse("10:00-19:00")
    assert window.next_send_time(tokyo(2, 9, 30), TOKYO) == tokyo(2, 10, 0)
    assert window.next_send_time(tokyo(2, 19, 0), TOKYO) == tokyo(3, 10, 0)
    assert str(window) == "10:00-19:00"


def test_a_window_over_midnight_is_open_late_and_early() -> None:
    window = SendWindow.parse("21:00-7:00")
    assert window.next_send_time(tokyo(2, 23, 0), TOKYO) == tokyo(2, 23, 0)
    assert window.next_send_time(tokyo(3, 6, 59), TOKYO) == tokyo(3, 6, 59)
    assert window.next_send_time(tokyo(3, 7, 0), TOKYO) == tokyo(3, 21, 0)


def test_a_window_to_midnight_and_an_all_day_window() -> None:
    evening = SendWindow.parse("10:00-24:00")
    assert evening.next_send_time(tokyo(2, 23, 59), TOKYO) == tokyo(2, 23, 59)
    assert evening.next_send_time(tokyo(3, 0, 0), TOKYO) == tokyo(3, 10, 0)
    always = SendWindow.parse("00:00-24:00")
    assert always.next_send_time(tokyo(3, 3, 0), TOKYO) == tokyo(3, 3, 0)
    assert [str(evening), str(always)] == ["10:00-24:00", "00:00-24:00"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("9-20", "not a sending window"),
        ("09:00-25:00", "not a time of day"),
        ("10:00-10:00", "starts and ends at the same time"),
    ],
)
def test_a_bad_window_is_refused_in_one_line(text: str, says: str) -> None:
    with pytest.raises(SendingRuleError, match=says) as caught:
        SendWindow.parse(text)
    assert "\n" not in str(caught.value)


def test_rules_keep_their_defaults_and_round_trip_through_storage() -> None:
    assert ContactRules.from_stored(None) == ContactRules()
    rules = ContactRules(SendWindow.parse("10:00-19:00"), max_reminders=1, min_gap=parse_gap("2d"))
    assert ContactRules.from_stored(rules.stored()) == rules
    assert rules.min_gap == timedelta(hours=48)
    with pytest.raises(SendingRuleError, match="not a gap"):
        parse_gap("soon")
    with pytest.raises(SendingRuleError, match="negative"):
        ContactRules(max_reminders=-1)
