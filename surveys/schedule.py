"""A wave's timetable and its invitations: the kinds of job planned for a wave, where a job is,
and where each invitation to a resident is."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    """What a wave's scheduled job does when its time comes."""

    OPEN = "open"
    CLOSE = "close"
    REMINDER = "reminder"
    SUMMARY = "summary"
    INVITE = "invite"


class JobState(StrEnum):
    """Where a scheduled job is: waiting for its time, claimed by a process, or finished."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


class InvitationState(StrEnum):
    """Where one invitation (or reminder) to one resident is."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


WAITING = (InvitationState.PENDING, InvitationState.SENDING)
"""Not settled yet: still to send, or claimed by a sender; then one of the outcomes, final."""
OUTCOMES = (InvitationState.SENT, InvitationState.FAILED, InvitationState.BLOCKED)

INVITATION = "invite"
"""The invitation kind of a wave's first message; each reminder has a kind of its own."""
RESULTS = "results"
"""The invitation kind of the message that tells the wave's finishers what came of it."""


def reminder_kind(job_id: int) -> str:
    """The invitation kind of the reminder sent by one reminder job (unique per resident)."""
    return f"{JobKind.REMINDER.value}-{job_id}"


def is_reminder(kind: str) -> bool:
    """Whether an invitation kind names a reminder rather than the first invitation."""
    return kind.startswith(f"{JobKind.REMINDER.value}-")
