"""SQLAlchemy 2 typed models: the database schema of machikoe, one module per part."""

from storage.models.base import NAMING_CONVENTION, Base, UTCDateTime
from storage.models.line import LineEvent
from storage.models.operations import (
    AuditEntry,
    ConsoleLogin,
    ConsoleSession,
    InboxState,
    InboxUpdate,
)
from storage.models.survey import (
    TALLY_CODE_CHARS,
    TALLY_CODE_PATTERN,
    Answer,
    AnswerTally,
    Comment,
    CommentHide,
    CommentLabel,
    Contact,
    Invitation,
    Profile,
    Respondent,
    Response,
    ResponseTally,
    ScheduledJob,
    Staff,
    SurveyDefinition,
    Wave,
)

__all__ = [
    "NAMING_CONVENTION",
    "TALLY_CODE_CHARS",
    "TALLY_CODE_PATTERN",
    "Answer",
    "AnswerTally",
    "AuditEntry",
    "Base",
    "Comment",
    "CommentHide",
    "CommentLabel",
    "ConsoleLogin",
    "ConsoleSession",
    "Contact",
    "InboxState",
    "InboxUpdate",
    "Invitation",
    "LineEvent",
    "Profile",
    "Respondent",
    "Response",
    "ResponseTally",
    "ScheduledJob",
    "Staff",
    "SurveyDefinition",
    "UTCDateTime",
    "Wave",
]
