"""Who is talking: the channel and the channel's user id, and the pseudonym derived from them."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from storage.db import pseudonym
from surveys.modes import Channel as Channel  # the adapters name their channel from here


@dataclass(frozen=True)
class Resident:
    """A resident as a channel sees them: never stored, only the pseudonym is."""

    channel: Channel
    user_id: int | str
    language_hint: str | None = None  # the client's language, if it tells
    contact: int | str | None = None  # where to reach them, when not the user id (a chat id)

    @property
    def address(self) -> int | str:
        """Where messages to this resident go (a Telegram private chat is the user id)."""
        return self.user_id if self.contact is None else self.contact


# LINE ids live in their own id space: a resident on both channels is two respondents.
LINE_KEY_PREFIX = "line:"


def line_pseudonym(line_user_id: str, secret: str) -> str:
    """The respondent key of a LINE user: HMAC-SHA256 over a prefixed id, 32 hex characters."""
    if not secret:
        raise ValueError("a non-empty pseudonym secret is required")
    message = (LINE_KEY_PREFIX + line_user_id).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def respondent_key(resident: Resident, secret: str) -> str:
    """The pseudonym of a resident; Telegram's is today's `pseudonym(user_id, secret)` exactly."""
    if resident.channel is Channel.TELEGRAM:
        return pseudonym(int(resident.user_id), secret)
    return line_pseudonym(str(resident.user_id), secret)
