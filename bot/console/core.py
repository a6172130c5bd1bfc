"""The console's few calls into the application: services, roles, access, audit.

Pages call these (and bot/app/waves.py) only, so moving the use cases to bot/app/ repoints one file.
A page writes its action and the action's audit entry in one unit of work (`record`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.app.services import Services
from bot.config import Settings
from storage.db import UnitOfWork
from storage.repositories.audit import AuditRecord, AuditRepository
from storage.repositories.console import ConsoleAccessRepository
from surveys.roles import Role

STAFF = (Role.ADMIN, Role.ANALYST)


@dataclass(frozen=True)
class Viewer:
    """The staff member behind a request: user id, role, the session's CSRF token."""

    user_id: int
    role: Role
    csrf_token: str
    session_digest: str
    demo: bool = False


async def open_services(settings: Settings) -> Services:
    """The same services the bot and the CLI use, on the configured database."""
    return await Services.open(settings)


def access(uow: UnitOfWork) -> ConsoleAccessRepository:
    """The console's login and session repository inside a unit of work."""
    return ConsoleAccessRepository(uow.session)


def audit_log(uow: UnitOfWork) -> AuditRepository:
    """The audit log repository inside a unit of work."""
    return AuditRepository(uow.session)


async def record(
    uow: UnitOfWork,
    services: Services,
    viewer: Viewer,
    action: str,
    target: str,
    *,
    before: str | None = None,
    after: str | None = None,
) -> None:
    """Add a staff action to the audit log in the action's own transaction: both or neither."""
    await audit_log(uow).add(
        at=services.now(),
        user_id=viewer.user_id,
        action=action,
        target=target,
        before=before,
        after=after,
    )


async def recent_actions(services: Services, limit: int = 200) -> list[AuditRecord]:
    """The newest audit entries first."""
    async with services.uow() as uow:
        return await audit_log(uow).recent(limit)


async def survey_ids(services: Services) -> list[str]:
    """Surveys a wave can be made of: loaded ones and the bundled ones."""
    from surveys.bundled import bundled_surveys

    async with services.uow() as uow:
        loaded = {record.survey_id for record in await uow.surveys.list_latest()}
    return sorted((loaded | set(bundled_surveys())) - {"profile"})
