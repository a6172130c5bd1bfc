"""Passwordless login: one-time links (signed in bot/app/console_links.py) open session cookies."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot.app.console_links import (
    LINK_LIFETIME,
    LinkProblem,
    LoginLink,
    LoginRefused,
    read_token,
)
from bot.app.console_links import login_token as login_token  # the demo and tests sign with it
from bot.app.console_links import login_url as login_url
from bot.app.services import Services
from bot.app.staff import role_of
from bot.console.core import Viewer, access
from surveys.roles import Role

SESSION_LIFETIME = timedelta(hours=8)
SESSION_COOKIE = "machikoe_console"
LOGIN_COOKIE = "machikoe_console_login"


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
