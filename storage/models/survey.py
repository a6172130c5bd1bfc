"""The survey tables: residents, waves, responses, answers, comments, invitations, tallies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, cascading_fk, one_of
from surveys.modes import Channel, ResponseMode
from surveys.roles import Role
from surveys.schedule import InvitationState, JobState
from surveys.status import Consent, ResponseStatus
from surveys.waves import WaveStatus


class Respondent(Base):
    """A pseudonymous resident (keyed hash of the Telegram user id)."""

    __tablename__ = "respondents"
    __table_args__ = (one_of("consent", Consent),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    consent: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(String(16), default="ja")
    created_at: Mapped[datetime]


class Contact(Base):
    """Where to message a resident: the only table holding a chat id or a LINE user id."""

    __tablename__ = "contacts"
    __table_args__ = (one_of("channel", Channel),)

    respondent_id: Mapped[int] = mapped_column(cascading_fk("respondents.id"), primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    """The Telegram chat (NULL for a LINE resident)."""
    # no Python default: a Telegram row leaves the column out (older revisions have none)
    channel: Mapped[str] = mapped_column(String(16), server_default=Channel.TELEGRAM.value)
    line_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The LINE user id (NULL for a Telegram resident): like chat ids, never exported."""
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class Profile(Base):
    """The resident's profile, asked once and reused across waves."""

    __tablename__ = "profiles"

    respondent_id: Mapped[int] = mapped_column(cascading_fk("respondents.id"), primary_key=True)
    age_band: Mapped[str | None] = mapped_column(String(32))
    sex: Mapped[str | None] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(64))
    years_lived: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class SurveyDefinition(Base):
    """One loaded version of a survey definition, kept verbatim."""

    __tablename__ = "survey_definitions"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(255))
    loaded_at: Mapped[datetime]


class Wave(Base):
    """A survey wave: when it runs, for whom, with which definition."""

    __tablename__ = "waves"
    __table_args__ = (
        one_of("status", WaveStatus),
        Index(None, "survey_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    survey_id: Mapped[str] = mapped_column(String(64))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("survey_definitions.id"))
    status: Mapped[str] = mapped_column(String(16), default=WaveStatus.DRAFT.value)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    reminders: Mapped[list[Any]] = mapped_column(JSON)
    summary_schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    embargo_lifted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    contact_rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Sending window, reminder cap and minimum gap (surveys.sending); NULL: the defaults."""
    results_message: Mapped[str | None] = mapped_column(Text)
    results_sent_at: Mapped[datetime | None]
    """When an admin sent the results back to residents (once: set only while NULL)."""


class Response(Base):
    """One response per respondent (or imported row) per wave."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("wave_id", "respondent_id"),
        UniqueConstraint("wave_id", "respondent_ref"),
        one_of("mode", ResponseMode),
        one_of("status", ResponseStatus),
        Index(None, "wave_id", "status"),
        Index(None, "respondent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(cascading_fk("waves.id"))
    respondent_id: Mapped[int | None] = mapped_column(cascading_fk("respondents.id"))
    respondent_ref: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(8), default=ResponseMode.CHAT.value)
    status: Mapped[str] = mapped_column(String(16), default=ResponseStatus.PARTIAL.value)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    age_band: Mapped[str | None] = mapped_column(String(32))
    sex: Mapped[str | None] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(64))
    years_lived: Mapped[str | None] = mapped_column(String(32))


class Answer(Base):
    """One answer per question per response; value NULL means skipped."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        Index(None, "question_id", "value", "response_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(cascading_fk("responses.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    other_text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime]


class Comment(Base):
    """A masked free-text answer and the classifier's verdict on it."""

    __tablename__ = "comments"
    __table_args__ = (
        Index(None, "wave_id"),
        Index(None, "needs_review"),
        # The console's comment table pages by (wave, id) and (wave, confidence, id) seeks.
        Index(None, "wave_id", "id"),
        Index(None, "wave_id", "confidence", "id"),
        Index(None, "confidence", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(cascading_fk("answers.id"), unique=True)
    wave_id: Mapped[int] = mapped_column(cascading_fk("waves.id"))
    masked_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    goals: Mapped[str | None] = mapped_column(String(64))
    primary_goal: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    model_version: Mapped[str | None] = mapped_column(String(64))
    classified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class CommentLabel(Base):
    """An analyst's correction of a comment's goals."""

    __tablename__ = "comment_labels"
    __table_args__ = (Index(None, "comment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(cascading_fk("comments.id"))
    goals: Mapped[str] = mapped_column(String(64))
    labeled_by: Mapped[int] = mapped_column(BigInteger)
    labeled_at: Mapped[datetime]
    previous_goals: Mapped[str | None] = mapped_column(String(64))
    """The goals the comment had before this label (None where the change was not recorded)."""


class CommentHide(Base):
    """A comment staff took out of reports (moderation), who did it and why."""

    __tablename__ = "comment_hides"

    comment_id: Mapped[int] = mapped_column(cascading_fk("comments.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    hidden_by: Mapped[int] = mapped_column(BigInteger)
    hidden_at: Mapped[datetime]


class Staff(Base):
    """A staff member by Telegram user id (staff only, never residents)."""

    __tablename__ = "staff"
    __table_args__ = (one_of("role", Role),)

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime]


class Invitation(Base):
    """One invitation or reminder of a wave to one resident, and its sending state."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("wave_id", "respondent_id", "kind"),
        one_of("state", InvitationState),
        Index(None, "wave_id", "kind", "state", "id"),
        Index(None, "respondent_id"),
        # a resident's n-th reminder of a wave exists once: the reminder cap across replicas
        Index(None, "wave_id", "respondent_id", "reminder_number", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(cascading_fk("waves.id"))
    respondent_id: Mapped[int] = mapped_column(cascading_fk("respondents.id"))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=InvitationState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
    error: Mapped[str | None] = mapped_column(Text)
    not_before: Mapped[datetime | None]
    """Not claimed before this time (the minimum gap since the resident's last message)."""
    reminder_number: Mapped[int | None] = mapped_column(Integer)
    """The resident's how-manieth reminder of the wave this is (None for other kinds)."""


class ScheduledJob(Base):
    """A wave's job (open, close, reminder, summary) stored so restarts lose nothing."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        UniqueConstraint("kind", "wave_id", "run_at"),
        one_of("state", JobState),
        Index(None, "state", "run_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    wave_id: Mapped[int] = mapped_column(cascading_fk("waves.id"))
    run_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=JobState.PENDING.value)
    fired_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ResponseTally(Base):
    """Complete responses counted by wave and profile cell; kept by database triggers."""

    __tablename__ = "response_tallies"

    wave_id: Mapped[int] = mapped_column(cascading_fk("waves.id"), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(32), primary_key=True)
    sex: Mapped[str] = mapped_column(String(32), primary_key=True)
    district: Mapped[str] = mapped_column(String(64), primary_key=True)
    years_lived: Mapped[str] = mapped_column(String(32), primary_key=True)
    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)


class AnswerTally(Base):
    """Answers of complete responses counted by wave, question, value and profile cell.

    Kept by database triggers in the same transaction as every write to responses and
    answers; a missing profile value is stored as '' and a skipped answer as answered=false.
    Only values that look like choice codes (TALLY_CODE_PATTERN) are tallied, never free text.
    """

    __tablename__ = "answer_tallies"

    wave_id: Mapped[int] = mapped_column(cascading_fk("waves.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    value: Mapped[str] = mapped_column(Text, primary_key=True)
    age_band: Mapped[str] = mapped_column(String(32), primary_key=True)
    sex: Mapped[str] = mapped_column(String(32), primary_key=True)
    district: Mapped[str] = mapped_column(String(64), primary_key=True)
    years_lived: Mapped[str] = mapped_column(String(32), primary_key=True)
    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)


TALLY_CODE_CHARS = 200
"""Longest answer value counted in answer_tallies (choice codes joined by ';')."""
TALLY_CODE_PATTERN = rf"[a-z0-9_;-]{{0,{TALLY_CODE_CHARS}}}"
"""Values (fully matching) that answer_tallies counts: choice codes, never residents' text."""
