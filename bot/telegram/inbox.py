"""Telegram's durable inbox: an update is recorded before Telegram is told it arrived, marked
done once handled, and handled after a crash if it never was (bot/app/inbox.py, written once
for both channels); here, how an update gives its id and chat, and the fast way to write."""

from __future__ import annotations

from datetime import timedelta

import orjson
from telegram import Update

from bot.app.inbox import MAX_AGE, DurableInbox, InboxWrites, Raw
from bot.app.services import Services
from storage.pglane import PostgresInboxLane, PostgresStepLane
from storage.repositories.inbox import TELEGRAM, ReceivedUpdate
from storage.steplane import SqliteInboxLane, StepLane

__all__ = ["Inbox", "Raw", "chat_of", "writes_for"]


def chat_of(raw: Raw) -> int | None:
    """The chat (else the sender) of an update as Telegram sent it."""
    for kind, body in raw.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        for holder in (body, body.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return holder["chat"].get("id")
        for who in ("from", "user"):
            if isinstance(body.get(who), dict):
                return body[who].get("id")
    return None


def writes_for(services: Services) -> InboxWrites[int] | None:
    """The fastest way to the database in use: the step lane's connections (a batch in one
    trip, no ORM session), else None (the unit of work)."""
    if isinstance(services.steps, StepLane):
        return SqliteInboxLane(services.steps)
    if isinstance(services.steps, PostgresStepLane):
        return PostgresInboxLane(services.steps)
    return None


class Inbox(DurableInbox[int, Raw]):
    """This process's view of the Telegram inbox: updates keyed and ordered by update_id."""

    def __init__(self, services: Services, max_age: timedelta = MAX_AGE) -> None:
        super().__init__(services, TELEGRAM, writes_for(services), max_age)

    def received_of(self, raw: Raw) -> ReceivedUpdate[int]:
        """An update's id, chat and JSON text."""
        return ReceivedUpdate(raw["update_id"], chat_of(raw), orjson.dumps(raw).decode())

    def item_of(self, received: ReceivedUpdate[int], raw: Raw) -> Raw:
        """The handlers get the update as Telegram sent it."""
        return raw

    def handled(self, update: object) -> None:
        """python-telegram-bot handled an update: mark it done soon (coalesced)."""
        if isinstance(update, Update):
            self.mark_handled(update.update_id)
