"""Contacts: the chat ids needed to message residents, and the invitation audience."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import case, select, true, update

from storage.errors import StorageError
from storage.models import Contact, Profile, Respondent
from storage.records import PROFILE_FIELDS, AudienceMember, ContactRecord
from storage.repositories._base import Repository


def _record(row: Contact) -> ContactRecord:
    """ORM row to record."""
    return ContactRecord(
        respondent_id=row.respondent_id,
        chat_id=row.chat_id,
        subscribed=row.subscribed,
        blocked_at=row.blocked_at,
        updated_at=row.updated_at,
    )


class ContactRepository(Repository):
    """Where to reach each resident; the only table with chat ids."""

    async def upsert(self, respondent_id: int, chat_id: int, at: datetime) -> ContactRecord:
        """Store the resident's chat; one who blocked us and writes again is subscribed again."""
        stmt = self.insert_on_conflict(Contact).values(
            respondent_id=respondent_id, chat_id=chat_id, subscribed=True, updated_at=at
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["respondent_id"],
            set_={
                "chat_id": chat_id,
                "subscribed": case(
                    (Contact.blocked_at.is_not(None), true()), else_=Contact.subscribed
                ),
                "blocked_at": None,
                "updated_at": at,
            },
        )
        await self.session.execute(stmt)
        found = await self.get(respondent_id)
        assert found is not None
        return found

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
        """Consenting, subscribed residents matching the profile filters, in keyset batches."""
        stmt = (
            select(Contact.respondent_id, Contact.chat_id, Respondent.language)
            .join(Respondent, Respondent.id == Contact.respondent_id)
            .where(
                Contact.subscribed.is_(True),
                Contact.blocked_at.is_(None),
                Respondent.consent == "given",
            )
        )
        active = {name: values for name, values in (filters or {}).items() if values}
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
            yield [AudienceMember(int(r[0]), int(r[1]), str(r[2])) for r in rows]
            last = int(rows[-1][0])
            if len(rows) < batch:
                return
