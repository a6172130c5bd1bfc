"""Console login links, for any channel: a signed one-time link for a staff member, and its check.

The Telegram `/console` command, the CLI's `console link` and the console's own login page use
this; none of them signs or reads a token itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.app.services import Services

LINK_LIFETIME = timedelta(minutes=10)
LINK_MINUTES = int(LINK_LIFETIME.total_seconds() // 60)
LOGIN_SALT = "machikoe-console-login"


class LinkProblem(StrEnum):
    """Why a login link is not given or does not open a session."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    NOT_STAFF = "not_staff"
    NO_ADDRESS = "no_address"


class LoginRefused(Exception):
    """A login link that is not issued or opens no session, and why."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class LoginLink:
    """A verified link's content: whose it is and its one-time id."""

    user_id: int
    token_id: str


def _serializer(services: Services) -> URLSafeTimedSerializer:
    """itsdangerous' timed serializer on the services' clock (so tests can move time)."""
    clock = services.now

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock().timestamp())

    return URLSafeTimedSerializer(services.secret, salt=LOGIN_SALT, signer=ClockSigner)


def login_token(services: Services, user_id: int) -> str:
    """A signed one-time token bound to the user id."""
    return str(_serializer(services).dumps({"u": user_id, "j": secrets.token_hex(16)}))


def login_url(services: Services, user_id: int, base_url: str) -> str:
    """The one-time login link for a user (no role check: see `issue_link`)."""
    return f"{base_url.rstrip('/')}/login?{urlencode({'token': login_token(services, user_id)})}"


def read_token(services: Services, token: str) -> LoginLink:
    """The token's content if its signature holds and it is younger than 10 minutes."""
    try:
        data: Any = _serializer(services).loads(token, max_age=int(LINK_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise LoginRefused(LinkProblem.EXPIRED) from None
    except BadSignature:
        raise LoginRefused(LinkProblem.INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LoginRefused(LinkProblem.INVALID)
    return LoginLink(user_id=data["u"], token_id=str(data.get("j", "")))


def console_address(services: Services, base_url: str | None = None) -> str | None:
    """Where links point: the given address, else the configured console URL, else None."""
    address = (base_url or services.settings.console_url or "").strip().rstrip("/")
    return address or None


async def issue_link(services: Services, user_id: int, base_url: str | None = None) -> str:
    """A one-time login link for a staff member (LoginRefused: not staff, or no address)."""
    address = console_address(services, base_url)
    if address is None:
        raise LoginRefused(LinkProblem.NO_ADDRESS)
    async with services.uow() as uow:
        role = await uow.staff.role_of(user_id)
    if role is None:
        raise LoginRefused(LinkProblem.NOT_STAFF)
    return login_url(services, user_id, address)
