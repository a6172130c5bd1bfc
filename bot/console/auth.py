"""Passwordless login: one-time signed links (10 minutes, used once) and session cookies."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.console.core import Role, Viewer, access, role_of
from bot.services import Services

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_SALT = "machikoe-console-login"
SESSION_COOKIE = "machikoe_console"
LOGIN_COOKIE = "machikoe_console_login"


class LinkProblem(StrEnum):
    """Why a login link does not open a session."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    NOT_STAFF = "not_staff"


class LoginRefused(Exception):
    """A login link that opens no session, and why."""

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
    """The one-time login link for a staff member."""
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


async def check_link(services: Services, token: str) -> LoginLink:
    """A link that would open a session now: signed, fresh, unused, for staff."""
    link = read_token(services, token)
    async with services.uow() as uow:
        used = await access(uow).login_used(link.token_id)
        role = await uow.staff.role_of(link.user_id)
    if used:
        raise LoginRefused(LinkProblem.USED)
    if role is None:
        raise LoginRefused(LinkProblem.NOT_STAFF)
    return link


def digest(cookie: str) -> str:
    """What the database keeps of a session cookie."""
    return hashlib.sha256(cookie.encode()).hexdigest()


async def redeem(services: Services, token: str) -> str:
    """Use a login link once and open a session; returns the new session cookie's value."""
    link = read_token(services, token)
    if await role_of(services, link.user_id) is None:
        raise LoginRefused(LinkProblem.NOT_STAFF)
    now = services.now()
    cookie = secrets.token_urlsafe(32)
    async with services.uow() as uow:
        await uow.begin_write()
        repository = access(uow)
        if not await repository.use_login(link.token_id, link.user_id, now):
            raise LoginRefused(LinkProblem.USED)
        await repository.forget_logins(now - 2 * LINK_LIFETIME)
        await repository.close_expired(now)
        await repository.open_session(
            digest(cookie), link.user_id, secrets.token_urlsafe(24), now, now + SESSION_LIFETIME
        )
        await uow.commit()
    return cookie


async def viewer_for(
    services: Services, cookie: str | None, *, demo: bool = False
) -> Viewer | None:
    """The staff member of a session cookie, or None (no, expired or ended session, no role)."""
    if not cookie:
        return None
    key = digest(cookie)
    async with services.uow() as uow:
        session = await access(uow).find_session(key, services.now())
        role = await uow.staff.role_of(session.user_id) if session else None
    if session is None or role is None:
        return None
    return Viewer(session.user_id, Role(role), session.csrf_token, key, demo=demo)


async def end_session(services: Services, viewer: Viewer) -> None:
    """Log out: the session is gone from the database, so the cookie opens nothing."""
    async with services.uow() as uow:
        await uow.begin_write()
        await access(uow).close_session(viewer.session_digest)
        await uow.commit()
