"""Profiles: age band, sex, district and years lived, asked once and reused."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.errors import StorageError
from storage.models import Profile
from storage.records import PROFILE_FIELDS
from storage.repositories._base import Repository


class ProfileRepository(Repository):
    """Each resident's profile fields."""

    async def get(self, respondent_id: int) -> dict[str, str | None]:
        """The profile as a dict of every profile field (None when not given)."""
        row = (
            await self.session.execute(
                select(*(getattr(Profile, name) for name in PROFILE_FIELDS)).where(
                    Profile.respondent_id == respondent_id
                )
            )
        ).first()
        values = tuple(row) if row else (None,) * len(PROFILE_FIELDS)
        return dict(zip(PROFILE_FIELDS, values, strict=True))

    async def update(
        self, respondent_id: int, *, at: datetime | None = None, **fields: str | None
    ) -> dict[str, str | None]:
        """Set the given profile fields, keeping the others; returns the whole profile."""
        unknown = sorted(set(fields) - set(PROFILE_FIELDS))
        if unknown:
            raise StorageError(
                f"unknown profile field {unknown[0]!r}; use {', '.join(PROFILE_FIELDS)}"
            )
        when = at or datetime.now(UTC)
        stmt = self.insert_on_conflict(Profile).values(
            respondent_id=respondent_id, updated_at=when, **fields
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["respondent_id"], set_={**fields, "updated_at": when}
        )
        await self.session.execute(stmt)
        return await self.get(respondent_id)
