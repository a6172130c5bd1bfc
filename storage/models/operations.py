"""The tables that run the service: the update inbox, console logins and sessions, audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, one_of


class InboxState(StrEnum):
    """Where a received update (Telegram's or LINE's) is: recorded and not handled yet, or
    handled."""

    RECEIVED = "received"
    DONE = "done"


class InboxUpdate(Base):
    """A Telegram update recorded before it is confirmed to Telegram, until it is handled.

    Handled rows keep their id (not their payload) until they age out, so an update Telegram
    delivers again is recognised and not handled twice."""

    __tablename__ = "inbox_updates"
    __table_args__ = (
        one_of("state", InboxState),
        Index(None, "state", "update_id"),
        Index(None, "received_at"),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=InboxState.RECEIVED)
    owner: Mapped[int] = mapped_column(BigInteger)


class ConsoleLogin(Base):
    """A console login link that was used: its id, so the link cannot open a second session."""

    __tablename__ = "console_logins"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[datetime]


class ConsoleSession(Base):
    """A staff member's console session: the digest of its cookie, never the cookie itself."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index(None, "expires_at"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class AuditEntry(Base):
    """One staff action in the console: who, when, what, on what, from which value to which."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
