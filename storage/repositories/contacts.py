"""Contacts: the chat ids and LINE user ids needed to message residents, and the audience."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime

from sqlalchemy import ColumnElement, case, select, true, update

from storage.errors import StorageError
from storage.models import Contact, Profile, Respondent
from storage.records import PROFILE_FIELDS, AudienceMember, ContactRecord
from storage.repositories._base import Repository
from surveys.modes import CHANNEL_FILTER as CHANNEL_FILTER  # the audience key, storage's too
from surveys.modes import Channel
from surveys.status import Consent


def _record(row: Contact) -> ContactRecord:
    """ORM row to record."""
    return ContactRecord(
        respondent_id=row.respondent_id,
        chat_id=row.chat_id,
        subscribed=row.subscribed,
        blocked_at=row.blocked_at,
        updated_at=row.updated_at,
        channel=Channel(row.channel),
        line_user_id=row.line_user_id,
    )


_SHOWN = (
    Contact.respondent_id,
    Contact.chat_id,
    Contact.subscribed,
    Contact.blocked_at,
    Contact.updated_at,
)
"""A contact's columns every revision has (the LINE ones come with 0009)."""


def split_channels(
    filters: dict[str, list[str]] | None,
) -> tuple[dict[str, list[str]], list[str] | None]:
    """Profile filters apart from the audience's channels (None: every channel)."""
    rest = dict(filters or {})
    channels = rest.pop(CHANNEL_FILTER, None)
    if channels is not None:
        unknown = set(channels) - set(Channel)
        if unknown:
            raise StorageError(f"unknown channel {sorted(unknown)[0]!r}; use telegram or line")
    return rest, channels or None


def on_channels(channels: list[str] | None) -> ColumnElement[bool]:
    """Contacts on these channels (every contact for None)."""
    return Contact.channel.in_(channels) if channels else true()


class ContactRepository(Repository):
    """Where to reach each resident; the only table with chat ids."""

    async def upsert(self, respondent_id: int, address: int | str, at: datetime) -> ContactRecord:
        """Store where to reach the resident (a Telegram chat id, or a LINE user id as text);
        one who blocked us and writes again is subscribed again."""
        # a Telegram row names only its chat (the channel column defaults to telegram), so the
        # same statement runs on databases from before the LINE columns (migration tests)
        where: dict[str, object] = (
            {"channel": Channel.LINE, "chat_id": None, "line_user_id": address}
            if isinstance(address, str)
            else {"chat_id": address}
        )
        stmt = self.insert_on_conflict(Contact).values(
            respondent_id=respondent_id, subscribed=True, updated_at=at, **where
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["respondent_id"],
            set_={
                **where,
                "subscribed": case(
                    (Contact.blocked_at.is_not(None), true()), else_=Contact.subscribed
                ),
                "blocked_at": None,
                "updated_at": at,
            },
        )
        line = isinstance(address, str)
        extra = (Contact.channel, Contact.line_user_id) if line else ()
        row = (await self.session.execute(stmt.returning(*_SHOWN, *extra))).one()
        record = ContactRecord(*row[: len(_SHOWN)])
        return replace(record, channel=Channel.LINE, line_user_id=row[-1]) if line else record

    async def get(self, respondent_id: int) -> ContactRecord | None:
        """The resident's contact, if stored."""
        row = await self.session.get(Contact, respondent_id, populate_existing=True)
        return _record(row) if row else None

    async def set_subscribed(self, respondent_id: int, subscribed: bool, at: datetime) -> None:
        """Subscribe or unsubscribe the resident from invitations."""
        await self.session.execute(
            update(Contact)
            .where(Contact.respondent_id == respondent_id)
            .values(subscribed=subscribed, updated_at=at)
        )

    async def mark_blocked(self, respondent_id: int, at: datetime) -> None:
        """The resident blocked the bot: stop messaging them."""
        await self.session.execute(
            update(Contact)
            .where(Contact.respondent_id == respondent_id)
            .values(subscribed=False, blocked_at=at, updated_at=at)
        )

    async def iter_audience(
        self, filters: dict[str, list[str]] | None = None, batch: int = 1000
    ) -> AsyncIterator[list[AudienceMember]]:
        """Consenting, subscribed residents matching the profile filters and channels, in
        keyset batches (a LINE resident's chat_id is 0)."""
        profile, channels = split_channels(filters)
        stmt = (
            select(Contact.respondent_id, Contact.chat_id, Respondent.language)
            .join(Respondent, Respondent.id == Contact.respondent_id)
            .where(
                Contact.subscribed.is_(True),
                Contact.blocked_at.is_(None),
                Respondent.consent == Consent.GIVEN,
                on_channels(channels),
            )
        )
        active = {name: values for name, values in profile.items() if values}
        if active:
            stmt = stmt.join(Profile, Profile.respondent_id == Contact.respondent_id)
            for name, values in active.items():
                if name not in PROFILE_FIELDS:
                    raise StorageError(
                        f"unknown audience filter {name!r}; use {', '.join(PROFILE_FIELDS)}"
                    )
                stmt = stmt.where(getattr(Profile, name).in_(list(values)))
        last = 0
        while True:
            page = stmt.where(Contact.respondent_id > last).order_by(Contact.respondent_id)
            rows = (await self.session.execute(page.limit(batch))).all()
            if not rows:
                return
            yield [AudienceMember(int(r[0]), int(r[1] or 0), str(r[2])) for r in rows]
            last = int(rows[-1][0])
            if len(rows) < batch:
                return

    async def by_line_user(self, line_user_id: str) -> ContactRecord | None:
        """The contact of a LINE user, if stored."""
        row = await self.session.scalar(select(Contact).where(Contact.line_user_id == line_user_id))
        return _record(row) if row else None
