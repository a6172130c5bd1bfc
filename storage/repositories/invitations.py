"""Invitations and reminders: who gets which message of a wave, and whether it was sent."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select, update

from storage.errors import StorageError
from storage.models import Contact, Invitation, Profile, Respondent, Response
from storage.records import PROFILE_FIELDS, InvitationRecord, InvitationTarget
from storage.repositories._base import rowcount
from storage.repositories.contacts import on_channels, split_channels
from storage.repositories.invitation_rules import InvitationRules, not_on, reachable
from surveys.schedule import INVITATION, OUTCOMES, WAITING, InvitationState
from surveys.status import ResponseStatus

CHUNK = 500
INTERRUPTED = "interrupted while sending; not resent so nobody gets it twice"


def _record(row: Invitation) -> InvitationRecord:
    """ORM row to record."""
    return InvitationRecord(
        id=row.id,
        wave_id=row.wave_id,
        respondent_id=row.respondent_id,
        kind=row.kind,
        state=InvitationState(row.state),
        attempts=row.attempts,
        updated_at=row.updated_at,
        error=row.error,
    )


_TARGETS = (
    select(
        Invitation.id,
        Invitation.respondent_id,
        Contact.chat_id,
        Respondent.language,
        Invitation.kind,
        Invitation.attempts,
        Response.status,
        Contact.line_user_id,
    )
    .join(Contact, Contact.respondent_id == Invitation.respondent_id)
    .join(Respondent, Respondent.id == Invitation.respondent_id)
    .outerjoin(
        Response,
        (Response.wave_id == Invitation.wave_id)
        & (Response.respondent_id == Invitation.respondent_id),
    )
)
"""Invitations with the chat and language to send them in."""


class InvitationRepository(InvitationRules):
    """The sending state of every invitation and reminder, so nothing is sent twice."""

    async def _targets(
        self, stmt: Select[int, int, int | None, str, str, int, str, str | None]
    ) -> list[InvitationTarget]:
        """Run a ``_TARGETS`` query into send targets (a LINE resident's chat_id is 0)."""
        rows = await self.session.execute(stmt)
        return [
            InvitationTarget(
                int(i),
                int(r),
                int(c or 0),
                str(lang),
                str(k),
                int(a),
                status == ResponseStatus.PARTIAL,
                line,
            )
            for i, r, c, lang, k, a, status, line in rows
        ]

    async def create_pending(
        self, wave_id: int, respondent_ids: Iterable[int], kind: str, at: datetime
    ) -> int:
        """Create pending invitations for these residents (existing ones are kept)."""
        created = 0
        ids = list(respondent_ids)
        for start in range(0, len(ids), CHUNK):
            rows = [
                {
                    "wave_id": wave_id,
                    "respondent_id": rid,
                    "kind": kind,
                    "state": InvitationState.PENDING,
                    "attempts": 0,
                    "updated_at": at,
                }
                for rid in ids[start : start + CHUNK]
            ]
            stmt = self.insert_on_conflict(Invitation).values(rows).on_conflict_do_nothing()
            result = await self.session.execute(stmt)
            created += rowcount(result)
        return created

    async def invite_audience(
        self,
        wave_id: int,
        filters: dict[str, list[str]] | None,
        at: datetime,
        kind: str = INVITATION,
        min_gap: timedelta | None = None,
    ) -> int:
        """Create pending invitations for every consenting subscribed resident in the audience.

        With ``min_gap``, a resident written to less than that long ago is invited once it has
        passed."""
        profile, channels = split_channels(filters)
        source = reachable(select(Contact.respondent_id)).where(on_channels(channels))
        active = {name: values for name, values in profile.items() if values}
        if active:
            source = source.join(Profile, Profile.respondent_id == Contact.respondent_id)
            for name, values in active.items():
                if name not in PROFILE_FIELDS:
                    raise StorageError(
                        f"unknown audience filter {name!r}; use {', '.join(PROFILE_FIELDS)}"
                    )
                source = source.where(getattr(Profile, name).in_(list(values)))
        created = await self._insert_from(source, wave_id, kind, at)
        if created and min_gap:
            await self.hold_for_gap(wave_id, kind, at, min_gap)
        return created

    async def get(self, invitation_id: int) -> InvitationRecord | None:
        """One invitation by id."""
        row = await self.session.get(Invitation, invitation_id, populate_existing=True)
        return _record(row) if row else None

    async def next_pending(
        self, wave_id: int, kind: str | None = None, limit: int = 100, after_id: int = 0
    ) -> list[InvitationTarget]:
        """The next pending invitations (by id) with the chat and language to send them in."""
        stmt = (
            _TARGETS.where(
                Invitation.wave_id == wave_id,
                Invitation.state == InvitationState.PENDING,
                Invitation.id > after_id,
            )
            .order_by(Invitation.id)
            .limit(limit)
        )
        if kind is not None:
            stmt = stmt.where(Invitation.kind == kind)
        return await self._targets(stmt)

    async def mark(
        self, invitation_id: int, state: InvitationState, at: datetime, error: str | None = None
    ) -> bool:
        """Record a claimed (or pending) invitation's outcome; False if it already has one."""
        if state not in OUTCOMES:
            raise StorageError(f"unknown invitation state {state!r}; use {', '.join(OUTCOMES)}")
        result = await self.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.state.in_(WAITING))
            .values(state=state, attempts=Invitation.attempts + 1, updated_at=at, error=error)
        )
        return bool(rowcount(result))

    async def record_attempt(self, invitation_id: int, at: datetime, error: str) -> None:
        """Count a failed try that will be retried (the invitation keeps its state)."""
        await self.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.state.in_(WAITING))
            .values(attempts=Invitation.attempts + 1, updated_at=at, error=error)
        )

    async def progress(
        self, wave_id: int, kind: str | None = INVITATION
    ) -> dict[InvitationState, int]:
        """How many invitations of a wave are in each state (every state listed)."""
        stmt = (
            select(Invitation.state, func.count())
            .where(Invitation.wave_id == wave_id)
            .group_by(Invitation.state)
        )
        if kind is not None:
            stmt = stmt.where(Invitation.kind == kind)
        counts = dict.fromkeys(InvitationState, 0)
        for state, count in await self.session.execute(stmt):
            counts[InvitationState(state)] = int(count)
        return counts

    async def claim(
        self,
        wave_id: int,
        sender: str,
        at: datetime,
        limit: int = 100,
        held: Collection[str] = (),
    ) -> list[InvitationTarget]:
        """Claim the next pending invitations of a wave (any kind): they become ``sending``.

        Messages held back for the minimum gap wait; messages to residents who stopped,
        blocked the bot, declined or finished meanwhile fail unsent (``drop_unwanted``).

        One UPDATE moves them from pending to sending, so two senders (or replicas) never
        claim the same row; PostgreSQL skips rows another sender has locked meanwhile.
        ``sender`` names the claimant in logs only; messages on ``held`` channels (their quota
        is used up) stay pending.
        """
        await self.drop_unwanted(wave_id, at)
        due = or_(Invitation.not_before.is_(None), Invitation.not_before <= at)
        candidates = (
            select(Invitation.id)
            .where(
                Invitation.wave_id == wave_id,
                Invitation.state == InvitationState.PENDING,
                due,
                not_on(held),
            )
            .order_by(Invitation.id)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        claimed = await self.session.scalars(
            update(Invitation)
            .where(
                Invitation.id.in_(candidates.scalar_subquery()),
                Invitation.state == InvitationState.PENDING,
            )
            .values(state=InvitationState.SENDING, updated_at=at, error=None)
            .returning(Invitation.id)
            .execution_options(synchronize_session=False)
        )
        ids = list(claimed)
        if not ids:
            return []
        stmt = _TARGETS.where(Invitation.id.in_(ids)).order_by(Invitation.id)
        return await self._targets(stmt)

    async def release(self, invitation_ids: Iterable[int], at: datetime) -> int:
        """Give claimed invitations back to pending unsent (a sender stopping gracefully)."""
        ids = list(invitation_ids)
        if not ids:
            return 0
        result = await self.session.execute(
            update(Invitation)
            .where(Invitation.id.in_(ids), Invitation.state == InvitationState.SENDING)
            .values(state=InvitationState.PENDING, updated_at=at)
        )
        return rowcount(result)

    async def fail_stale_claims(self, claimed_before: datetime, at: datetime) -> int:
        """Claims older than the lease belong to a sender that died: mark them failed.

        The message may or may not have reached Telegram before the crash, and nothing tells
        which. Sending is at most once: a resident may miss one invitation, never gets two.
        """
        stale = (Invitation.state == InvitationState.SENDING) & (
            Invitation.updated_at < claimed_before
        )
        if await self.session.scalar(select(Invitation.id).where(stale).limit(1)) is None:
            return 0  # the usual case: no write, so no write lock taken on SQLite
        result = await self.session.execute(
            update(Invitation)
            .where(stale)
            .values(state=InvitationState.FAILED, error=INTERRUPTED, updated_at=at)
        )
        return rowcount(result)

    async def cancel_pending(self, wave_id: int, at: datetime, reason: str) -> int:
        """Mark a wave's pending (unclaimed) invitations failed (e.g. the wave closed)."""
        result = await self.session.execute(
            update(Invitation)
            .where(Invitation.wave_id == wave_id, Invitation.state == InvitationState.PENDING)
            .values(state=InvitationState.FAILED, error=reason, updated_at=at)
        )
        return rowcount(result)

    async def waves_with_unclaimed(self) -> list[int]:
        """Ids of waves that have pending invitations no sender has claimed."""
        rows = await self.session.scalars(
            select(Invitation.wave_id).where(Invitation.state == InvitationState.PENDING).distinct()
        )
        return sorted(int(wave_id) for wave_id in rows)
