"""The stored vocabulary of consent and responses (StrEnums: stored values stay plain text)."""

from __future__ import annotations

from enum import StrEnum


class Consent(StrEnum):
    """A resident's answer to the consent question."""

    GIVEN = "given"
    DECLINED = "declined"


class ResponseStatus(StrEnum):
    """A response: started and being answered, or submitted."""

    PARTIAL = "partial"
    COMPLETE = "complete"
