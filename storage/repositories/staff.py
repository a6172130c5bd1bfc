"""Staff: Telegram user ids of city staff and their roles."""

from __future__ import annotations

import builtins
from datetime import datetime

from sqlalchemy import delete, select

from storage.errors import StorageError
from storage.models import Staff
from storage.records import StaffRecord
from storage.repositories._base import Repository, rowcount
from surveys.roles import Role

_ROLES = frozenset(Role)


class StaffRepository(Repository):
    """Who may run waves (admin) or read results (analyst)."""

    async def add(self, user_id: int, role: Role, at: datetime) -> StaffRecord:
        """Grant a role (changing it if the user is already staff)."""
        if role not in _ROLES:
            raise StorageError(f"unknown role {role!r}; use {' or '.join(Role)}")
        stmt = (
            self.insert_on_conflict(Staff)
            .values(user_id=user_id, role=role, added_at=at)
            .on_conflict_do_update(index_elements=["user_id"], set_={"role": role})
        )
        await self.session.execute(stmt)
        row = await self.session.get(Staff, user_id, populate_existing=True)
        assert row is not None
        return StaffRecord(row.user_id, Role(row.role), row.added_at)

    async def remove(self, user_id: int) -> bool:
        """Take away the user's staff role; False if they had none."""
        result = await self.session.execute(delete(Staff).where(Staff.user_id == user_id))
        return bool(rowcount(result))

    async def list(self) -> builtins.list[StaffRecord]:
        """All staff, by user id."""
        rows = await self.session.scalars(select(Staff).order_by(Staff.user_id))
        return [StaffRecord(row.user_id, Role(row.role), row.added_at) for row in rows]

    async def role_of(self, user_id: int) -> Role | None:
        """The user's role, or None for anyone who is not staff."""
        role = await self.session.scalar(select(Staff.role).where(Staff.user_id == user_id))
        return None if role is None else Role(role)
