"""A per-resident token bucket in handler group -1: floods are dropped, told once, politely."""

from __future__ import annotations

import contextlib
import html
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, ContextTypes

log = logging.getLogger(__name__)

BURST = 20
"""Updates a resident may send at once."""
PER_SECOND = 2.0
"""Steady rate the bucket refills at (20 updates per 10 s)."""
GROUP = -1
"""Handler group: before every other handler."""

NOTICE = {
    "ja": "メッセージが多すぎるため、少しの間お返事を控えます。10秒ほど待ってから続けてください。",
    "en": "You are sending messages very fast; please wait about 10 seconds, then continue.",
}


@dataclass
class Bucket:
    """One resident's tokens and whether they were told about the flood already."""

    tokens: float
    at: float
    told: bool = False


class FloodGuard:
    """Counts updates per user; `allow` is False once a user exceeds the burst and rate."""

    def __init__(
        self,
        burst: int = BURST,
        per_second: float = PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.buckets: dict[int, Bucket] = {}

    def allow(self, user_id: int) -> bool:
        """Take a token for this user's update; False when the bucket is empty."""
        now = self.clock()
        bucket = self.buckets.get(user_id)
        if bucket is None:
            bucket = self.buckets[user_id] = Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= self.burst:
            bucket.told = False
        if len(self.buckets) > 10_000:
            self._forget_calm(now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    def first_refusal(self, user_id: int) -> bool:
        """True the first time in a flood that this user is refused (time to tell them)."""
        bucket = self.buckets[user_id]
        told, bucket.told = bucket.told, True
        return not told

    def _forget_calm(self, now: float) -> None:
        """Drop buckets that have refilled (memory stays bounded)."""
        full = self.burst / self.per_second
        self.buckets = {u: b for u, b in self.buckets.items() if now - b.at < full}


class FloodHandler(BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]):
    """Matches only the updates of a user over the limit; its callback stops other handlers."""

    def __init__(self, guard: FloodGuard | None = None) -> None:
        super().__init__(self._refuse)
        self.guard = guard or FloodGuard()

    def check_update(self, update: object) -> bool:
        """True when this update's sender is flooding."""
        if not isinstance(update, Update) or update.effective_user is None:
            return False
        return not self.guard.allow(update.effective_user.id)

    async def _refuse(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a tap (no spinner), tell the resident once, and stop further handling."""
        user = update.effective_user
        assert user is not None
        first = self.guard.first_refusal(user.id)
        if first:
            log.info("flood: a resident is rate-limited")
        text = NOTICE["en" if (user.language_code or "ja").startswith("en") else "ja"]
        with contextlib.suppress(TelegramError):
            if update.callback_query is not None:
                await update.callback_query.answer(text if first else None)
            elif first and update.effective_chat is not None:
                await context.bot.send_message(
                    update.effective_chat.id, html.escape(text), parse_mode=ParseMode.HTML
                )
        raise ApplicationHandlerStop


def flood_handler(guard: FloodGuard | None = None) -> FloodHandler:
    """The handler to add at group -1 (`application.add_handler(flood_handler(), GROUP)`)."""
    return FloodHandler(guard)
