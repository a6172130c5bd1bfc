"""The LINE adapter's table: webhook events recorded before LINE is answered, until handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, one_of
from storage.models.operations import InboxState


class LineEvent(Base):
    """A LINE webhook event, recorded durably before the webhook answers 200.

    `seq` orders events as they arrived (a body's events in order); `event_id` is LINE's
    webhookEventId, unique, so a redelivered event is recognised and not handled twice. Done
    rows keep the id (not the payload) until they age out, like Telegram's inbox; both are
    served by one repository (storage/repositories/inbox.py)."""

    __tablename__ = "line_events"
    __table_args__ = (
        one_of("state", InboxState),
        Index(None, "state", "seq"),
        Index(None, "received_at"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=InboxState.RECEIVED)
    owner: Mapped[int] = mapped_column(BigInteger)
