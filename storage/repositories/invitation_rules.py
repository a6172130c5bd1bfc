"""The rules of writing to residents, in the database: reminder cap, minimum gap, who is left out.

The cap holds across restarts and replicas because a resident's n-th reminder of a wave is a
row the unique index on (wave, resident, reminder_number) lets exist once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import aliased

from storage.models import Contact, Invitation, Respondent, Response, UTCDateTime
from storage.repositories._base import Repository, rowcount
from surveys.schedule import INVITATION, RESULTS, InvitationState
from surveys.sending import DEFAULT_MAX_REMINDERS
from surveys.status import Consent, ResponseStatus

LEFT_OUT = "not sent: the resident stopped, blocked the bot, declined or finished before it went"


def not_on(channels: Collection[str]) -> ColumnElement[bool]:
    """Invitations to residents not reached through these channels (every one for none)."""
    if not channels:
        return true()
    on_them = select(Contact.respondent_id).where(Contact.channel.in_(list(channels)))
    return Invitation.respondent_id.not_in(on_them)


def reachable(source: Select[Any]) -> Select[Any]:
    """Only residents who consented, are subscribed and have not blocked the bot."""
    return source.join(Respondent, Respondent.id == Contact.respondent_id).where(
        Contact.subscribed.is_(True),
        Contact.blocked_at.is_(None),
        Respondent.consent == Consent.GIVEN,
    )


def _finished(wave_id: int) -> Select[Any]:
    """Residents who completed this wave's survey."""
    return select(Response.respondent_id).where(
        Response.wave_id == wave_id,
        Response.status == ResponseStatus.COMPLETE,
        Response.respondent_id.is_not(None),
    )


def _answered(wave_id: int) -> Select[Any]:
    """Residents who answered this wave in the chat (finished or not)."""
    return select(Response.respondent_id).where(
        Response.wave_id == wave_id, Response.respondent_id.is_not(None)
    )


class InvitationRules(Repository):
    """Reminders within the cap, messages held back for the gap, messages nobody wants now."""

    async def _insert_from(
        self,
        source: Select[Any],
        wave_id: int,
        kind: str,
        at: datetime,
        reminder_number: ColumnElement[int] | None = None,
    ) -> int:
        """INSERT ... SELECT pending messages for the selected respondent ids."""
        rows = source.add_columns(
            self.constant(wave_id, Integer()),
            self.constant(kind, String()),
            self.constant(InvitationState.PENDING.value, String()),
            self.constant(0, Integer()),
            self.constant(at, UTCDateTime()),
        )
        columns = ["respondent_id", "wave_id", "kind", "state", "attempts", "updated_at"]
        if reminder_number is not None:
            rows = rows.add_columns(reminder_number)
            columns.append("reminder_number")
        stmt = (
            self.insert_on_conflict(Invitation).from_select(columns, rows).on_conflict_do_nothing()
        )
        return rowcount(await self.session.execute(stmt))

    async def create_reminders(
        self,
        wave_id: int,
        kind: str,
        at: datetime,
        due: datetime | None = None,
        *,
        max_reminders: int = DEFAULT_MAX_REMINDERS,
        min_gap: timedelta | None = None,
    ) -> int:
        """Pending reminders for residents invited or started (by ``due``) but not finished.

        A reminder that fires late (the bot was down at its time, or the wave opened after
        it) reminds only residents invited or started before its time: nobody gets an
        invitation and a reminder of it in the same minute. Nobody gets more than
        ``max_reminders`` of one wave, and none sooner than ``min_gap`` after their last message.
        """
        invited = select(Invitation.respondent_id).where(
            Invitation.wave_id == wave_id,
            Invitation.kind == INVITATION,
            Invitation.state == InvitationState.SENT,
        )
        started = select(Response.respondent_id).where(
            Response.wave_id == wave_id, Response.respondent_id.is_not(None)
        )
        if due is not None:
            invited = invited.where(Invitation.updated_at <= due)
            started = started.where(Response.started_at <= due)
        earlier = aliased(Invitation)
        so_far = (
            select(func.count())
            .select_from(earlier)
            .where(
                earlier.wave_id == wave_id,
                earlier.respondent_id == Contact.respondent_id,
                earlier.reminder_number.is_not(None),
            )
            .scalar_subquery()
        )
        source = reachable(select(Contact.respondent_id)).where(
            Contact.respondent_id.in_(invited.union(started)),
            Contact.respondent_id.not_in(_finished(wave_id)),
            so_far < max_reminders,
        )
        created = await self._insert_from(source, wave_id, kind, at, so_far + 1)
        if created and min_gap:
            await self.hold_for_gap(wave_id, kind, at, min_gap)
        return created

    async def participants(self, wave_id: int) -> int:
        """How many residents answered the wave and can still be written to."""
        source = reachable(select(func.count()).select_from(Contact)).where(
            Contact.respondent_id.in_(_answered(wave_id))
        )
        return int(await self.session.scalar(source) or 0)

    async def invite_participants(
        self, wave_id: int, at: datetime, min_gap: timedelta | None = None
    ) -> int:
        """Pending results messages for everyone who answered the wave and is still reachable."""
        source = reachable(select(Contact.respondent_id)).where(
            Contact.respondent_id.in_(_answered(wave_id))
        )
        created = await self._insert_from(source, wave_id, RESULTS, at)
        if created and min_gap:
            await self.hold_for_gap(wave_id, RESULTS, at, min_gap)
        return created

    async def hold_for_gap(self, wave_id: int, kind: str, at: datetime, gap: timedelta) -> int:
        """Keep new pending messages back until ``gap`` after each resident's last message."""
        waiting = select(Invitation.respondent_id).where(
            Invitation.wave_id == wave_id,
            Invitation.kind == kind,
            Invitation.state == InvitationState.PENDING,
        )
        recent = (
            select(Invitation.respondent_id, func.max(Invitation.updated_at))
            .where(
                Invitation.state == InvitationState.SENT,
                Invitation.updated_at > at - gap,
                Invitation.respondent_id.in_(waiting),
            )
            .group_by(Invitation.respondent_id)
        )
        rows = await self.session.execute(recent)
        held = [{"who": who, "until": last + gap} for who, last in rows]
        if not held:
            return 0
        table = Invitation.__table__
        assert isinstance(table, Table)
        await self.session.execute(
            update(table)
            .where(
                table.c.wave_id == wave_id,
                table.c.kind == kind,
                table.c.state == InvitationState.PENDING,
                table.c.respondent_id == bindparam("who"),
            )
            .values(not_before=bindparam("until")),
            held,
        )
        return len(held)

    async def drop_unwanted(self, wave_id: int, at: datetime) -> int:
        """Pending messages to residents who since stopped, blocked, declined or finished fail.

        A message waiting overnight for the sending hours must not reach a resident who said
        /stop meanwhile; invitations and reminders also not one who has finished the survey.
        """
        gone = (
            select(Contact.respondent_id)
            .join(Respondent, Respondent.id == Contact.respondent_id)
            .where(
                or_(
                    Contact.subscribed.is_(False),
                    Contact.blocked_at.is_not(None),
                    Respondent.consent.is_(None),
                    Respondent.consent != Consent.GIVEN,
                )
            )
        )
        unwanted = or_(
            Invitation.respondent_id.in_(gone),
            and_(Invitation.kind != RESULTS, Invitation.respondent_id.in_(_finished(wave_id))),
        )
        result = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.wave_id == wave_id, Invitation.state == InvitationState.PENDING, unwanted
            )
            .values(state=InvitationState.FAILED, error=LEFT_OUT, updated_at=at)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def next_due(
        self, wave_id: int, at: datetime, held: Collection[str] = ()
    ) -> datetime | None:
        """When the wave's next pending message may be claimed (``at`` if one may now); messages
        on ``held`` channels (not sent on for now) do not count."""
        pending = (
            (Invitation.wave_id == wave_id)
            & (Invitation.state == InvitationState.PENDING)
            & not_on(held)
        )
        ready = or_(Invitation.not_before.is_(None), Invitation.not_before <= at)
        if await self.session.scalar(select(Invitation.id).where(pending, ready).limit(1)):
            return at
        return await self.session.scalar(select(func.min(Invitation.not_before)).where(pending))
