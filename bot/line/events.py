"""LINE's durable inbox: webhook events recorded before LINE is answered, handled at least once
(bot/app/inbox.py, written once for both channels, over storage's one inbox repository).

An event is keyed by LINE's webhookEventId, so a redelivered one is not handled twice, and
ordered by the seq it is given on arrival (a body's events in order); here, how an event gives
its id and user, and what the handlers get."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import orjson

from bot.app.inbox import MAX_AGE, DurableInbox, Raw
from bot.app.services import Services
from storage.repositories.inbox import LINE, ReceivedUpdate

__all__ = ["LineInbox", "Raw", "Recorded", "user_of"]


@dataclass(frozen=True)
class Recorded:
    """An event in the inbox: its webhookEventId, its user, and the event as LINE sent it."""

    key: str
    user_id: str | None
    raw: Raw


def user_of(raw: Raw) -> str | None:
    """The LINE user an event comes from (None for groups' events without one)."""
    source = raw.get("source")
    user = source.get("userId") if isinstance(source, dict) else None
    return user if isinstance(user, str) else None


class LineInbox(DurableInbox[str, Recorded]):
    """This process's view of the LINE inbox."""

    what = "LINE events"

    def __init__(self, services: Services, max_age: timedelta = MAX_AGE) -> None:
        super().__init__(services, LINE, None, max_age)

    def received_of(self, raw: Raw) -> ReceivedUpdate[str]:
        """An event's webhookEventId, user and JSON text."""
        return ReceivedUpdate(str(raw["webhookEventId"]), user_of(raw), orjson.dumps(raw).decode())

    def item_of(self, received: ReceivedUpdate[str], raw: Raw) -> Recorded:
        """The handlers get the event with its key and user."""
        return Recorded(received.key, user_of(raw), raw)
