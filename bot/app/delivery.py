"""How a message the bot starts (an invitation, a reminder, results) reaches a resident on one
channel, and the channel-neutral ways that can fail; each adapter maps its platform's errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.app.conversation.screens import Screen
from surveys.modes import Channel

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A message was not (known to be) delivered."""


class RetryLater(DeliveryError):
    """The channel is rate limiting: no message before `seconds` have passed; then resend."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds


class Blocked(DeliveryError):
    """The resident blocked the bot (or unfollowed it): stop writing to them."""


class Rejected(DeliveryError):
    """The channel refused this message for good (bad request, unknown user, bad credentials)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MaybeDelivered(DeliveryError):
    """No answer in time: the message may have arrived, so it is never resent (at most once)."""


class Unreachable(DeliveryError):
    """The channel could not be reached at all: nothing was delivered, sending again is safe."""


class OutOfQuota(DeliveryError):
    """The channel's message quota is used up (LINE's monthly limit): nothing more goes out on
    it until the quota renews or the plan is raised; what waits stays pending, not failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


QUOTA_HOLD = timedelta(hours=1)
"""How long a process sends nothing on a channel whose quota ran out before it tries one
message again (a quota renews monthly, or when staff raise the plan)."""


class ChannelHolds:
    """The channels a process does not send on for now, because their quota is used up."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._until: dict[Channel, datetime] = {}

    def hold(self, channel: Channel, reason: str) -> None:
        """Stop sending on a channel for QUOTA_HOLD (logged once per hold)."""
        if channel not in self.held():
            log.warning(
                "%s: %s; its messages wait (pending) and are tried again in %s",
                channel.value,
                reason,
                QUOTA_HOLD,
            )
        self._until[channel] = self.clock() + QUOTA_HOLD

    def held(self) -> frozenset[Channel]:
        """The channels held now."""
        now = self.clock()
        return frozenset(channel for channel, until in self._until.items() if until > now)


class Delivery(Protocol):
    """One channel's way to send a plain screen to one resident."""

    async def deliver(self, to: int | str, screen: Screen, key: int) -> None:
        """Send `screen` to the resident at `to`; `key` (the invitation) names this message
        for channels that can refuse a second copy. Raises a DeliveryError on failure."""
        ...

    async def close(self) -> None:
        """Release the channel's connections."""
        ...


class SummaryNotifier(Protocol):
    """Where the periodic summary of a wave is posted for staff."""

    async def post(self, wave_id: int) -> None:
        """Post the wave's summary now."""
        ...


class NoSummaryChat:
    """A process without the staff's Telegram chat: summaries are not posted, only logged."""

    async def post(self, wave_id: int) -> None:
        """Say that the summary is not posted (staff read the results in the console)."""
        log.info(
            "summary of wave %s not posted: this process has no Telegram bot for the staff "
            "chat; staff read the results in the console (machikoe console) or machikoe report",
            wave_id,
        )
