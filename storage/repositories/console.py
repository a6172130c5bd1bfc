"""The web console's access: login links used once, and sessions kept by their cookie's digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from storage.models import ConsoleLogin, ConsoleSession
from storage.repositories._base import Repository, rowcount


@dataclass(frozen=True, slots=True)
class ConsoleSessionRecord:
    """An open console session: whose it is, its CSRF token, when it ends."""

    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class ConsoleAccessRepository(Repository):
    """Used login links and open console sessions."""

    async def use_login(self, token_id: str, user_id: int, at: datetime) -> bool:
        """Mark a login link used; False if it was used before (the database decides)."""
        stmt = (
            self.insert_on_conflict(ConsoleLogin)
            .values(token_id=token_id, user_id=user_id, used_at=at)
            .on_conflict_do_nothing(index_elements=["token_id"])
        )
        return bool(rowcount(await self.session.execute(stmt)))

    async def login_used(self, token_id: str) -> bool:
        """Whether a login link was used already."""
        found = await self.session.scalar(
            select(ConsoleLogin.token_id).where(ConsoleLogin.token_id == token_id)
        )
        return found is not None

    async def forget_logins(self, before: datetime) -> int:
        """Drop used links older than `before` (they have expired anyway)."""
        result = await self.session.execute(
            delete(ConsoleLogin).where(ConsoleLogin.used_at < before)
        )
        return rowcount(result)

    async def open_session(
        self, digest: str, user_id: int, csrf_token: str, at: datetime, expires_at: datetime
    ) -> ConsoleSessionRecord:
        """Store a new session under its cookie's digest."""
        self.session.add(
            ConsoleSession(
                digest=digest,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=at,
                expires_at=expires_at,
            )
        )
        await self.session.flush()
        return ConsoleSessionRecord(user_id, csrf_token, at, expires_at)

    async def find_session(self, digest: str, now: datetime) -> ConsoleSessionRecord | None:
        """The session with this digest if it has not expired."""
        row = await self.session.scalar(
            select(ConsoleSession).where(
                ConsoleSession.digest == digest, ConsoleSession.expires_at > now
            )
        )
        if row is None:
            return None
        return ConsoleSessionRecord(row.user_id, row.csrf_token, row.created_at, row.expires_at)

    async def close_session(self, digest: str) -> bool:
        """End a session (logout); False if there was none."""
        result = await self.session.execute(
            delete(ConsoleSession).where(ConsoleSession.digest == digest)
        )
        return bool(rowcount(result))

    async def close_expired(self, now: datetime) -> int:
        """Remove sessions that have expired."""
        result = await self.session.execute(
            delete(ConsoleSession).where(ConsoleSession.expires_at <= now)
        )
        return rowcount(result)

    async def close_sessions_of(self, user_id: int) -> int:
        """End every session of a user (their staff role was taken away)."""
        result = await self.session.execute(
            delete(ConsoleSession).where(ConsoleSession.user_id == user_id)
        )
        return rowcount(result)
