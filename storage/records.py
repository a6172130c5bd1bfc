"""Small frozen records that repositories return instead of ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from surveys.modes import Channel, ResponseMode
from surveys.profile import PROFILE_FIELDS as PROFILE_FIELDS  # records carry these fields
from surveys.roles import Role
from surveys.schedule import InvitationState, JobKind, JobState

UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RespondentRecord:
    """A pseudonymous resident."""

    id: int
    key: str
    consent: str | None
    consent_at: datetime | None
    language: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """How to reach a resident: the only place a chat id lives."""

    respondent_id: int
    chat_id: int | None  # None for a LINE resident
    subscribed: bool
    blocked_at: datetime | None
    updated_at: datetime
    channel: Channel = Channel.TELEGRAM
    line_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class AudienceMember:
    """One resident to invite: who, where, in which language."""

    respondent_id: int
    chat_id: int
    language: str


@dataclass(frozen=True, slots=True)
class SurveyDefinitionRecord:
    """One stored version of a survey definition."""

    id: int
    survey_id: str
    version: str
    fingerprint: str
    source: str
    title: str
    loaded_at: datetime


@dataclass(frozen=True, slots=True)
class WaveRecord:
    """A survey wave as staff plan and run it."""

    id: int
    name: str
    survey_id: str
    definition_id: int | None
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    audience: dict[str, list[str]]
    reminders: list[str]
    summary_schedule: dict[str, Any] | None
    embargo_lifted: bool
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    contact_rules: dict[str, Any] | None = None
    results_message: str | None = None
    results_sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WaveCounts:
    """Live counts of a wave: invited, started, completed, completed by age band."""

    invited: int
    started: int
    completed: int
    by_age_band: dict[str, int] = field(default_factory=dict)

    @property
    def completion_rate(self) -> float | None:
        """Completed over started, or None when nobody started."""
        return self.completed / self.started if self.started else None


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """One resident's (or one imported row's) response to a wave."""

    id: int
    wave_id: int
    respondent_id: int | None
    respondent_ref: str
    mode: ResponseMode
    status: str
    started_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    profile: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer as stored: canonical value (None = skipped) and optional other text."""

    question_id: str
    value: str | None
    other_text: str | None
    answered_at: datetime
    id: int = 0


@dataclass(frozen=True, slots=True)
class SubmittedText:
    """A non-empty answer of a submitted response, with where it belongs (a comment source)."""

    answer_id: int
    response_id: int
    wave_id: int
    question_id: str
    text: str


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One response flattened for export: never carries a chat id."""

    respondent: str
    mode: ResponseMode
    status: str
    submitted_at: datetime | None
    profile: dict[str, str | None]
    answers: dict[str, str | None]
    other_texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """A masked free-text comment and its classification."""

    id: int
    answer_id: int
    wave_id: int
    masked_text: str
    language: str | None
    goals: tuple[str, ...]
    primary_goal: str | None
    confidence: float | None
    needs_review: bool
    model_version: str | None
    classified_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewedComment:
    """A comment with its analyst's latest label, if any."""

    comment: CommentRecord
    label: tuple[str, ...] | None
    labeled_at: datetime | None

    @property
    def goals(self) -> tuple[str, ...]:
        """The analyst's goals when labelled, else the classifier's."""
        return self.label if self.label is not None else self.comment.goals


@dataclass(frozen=True, slots=True)
class LabeledComment:
    """An analyst's latest label on a comment: training data for the classifier."""

    comment_id: int
    masked_text: str
    goals: tuple[str, ...]
    labeled_by: int
    labeled_at: datetime


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """A staff member (never a resident) and their role."""

    user_id: int
    role: Role
    added_at: datetime


@dataclass(frozen=True, slots=True)
class InvitationRecord:
    """One invitation or reminder to one resident, with its sending state."""

    id: int
    wave_id: int
    respondent_id: int
    kind: str
    """The wave's invitation (INVITATION) or one reminder's kind (reminder_kind)."""
    state: InvitationState
    attempts: int
    updated_at: datetime
    error: str | None


@dataclass(frozen=True, slots=True)
class InvitationTarget:
    """A pending invitation joined with where to send it."""

    invitation_id: int
    respondent_id: int
    chat_id: int
    language: str
    kind: str
    attempts: int
    started: bool = False
    """The resident has begun this wave's survey and not finished it."""
    line_user_id: str | None = None
    """Set for a LINE resident (whose chat_id is 0): the invitation goes by LINE push."""


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A scheduled job (open, close, reminder, summary) of a wave."""

    id: int
    kind: JobKind
    wave_id: int
    run_at: datetime
    state: JobState
    fired_at: datetime | None
    detail: dict[str, Any] | None


class IndicatorCell(NamedTuple):
    """One aggregate cell: breakdown values, 'yes' answers and valid answers (unpackable)."""

    dims: tuple[str | None, ...]
    yes_count: int
    valid_count: int
