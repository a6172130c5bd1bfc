"""The audit log: every staff action taken in the console (who, when, what, from, to)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.models import AuditEntry
from storage.repositories._base import Repository

TARGET_CHARS = 200


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One recorded staff action."""

    id: int
    at: datetime
    user_id: int
    action: str
    target: str
    before: str | None
    after: str | None


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(row.id, row.at, row.user_id, row.action, row.target, row.before, row.after)


class AuditRepository(Repository):
    """Append-only log of staff actions; read newest first."""

    async def add(
        self,
        *,
        at: datetime,
        user_id: int,
        action: str,
        target: str,
        before: str | None = None,
        after: str | None = None,
    ) -> AuditRecord:
        """Record one action (in the caller's transaction, so it commits with the change)."""
        row = AuditEntry(
            at=at,
            user_id=user_id,
            action=action,
            target=target[:TARGET_CHARS],
            before=before,
            after=after,
        )
        self.session.add(row)
        await self.session.flush()
        return _record(row)

    async def recent(self, limit: int = 200, offset: int = 0) -> builtins.list[AuditRecord]:
        """The newest actions first."""
        rows = await self.session.scalars(
            select(AuditEntry)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_record(row) for row in rows]
