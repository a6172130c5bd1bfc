"""Who a user is to machikoe: a staff member with a role, or a resident (no role)."""

from __future__ import annotations

from bot.app.services import Services
from surveys.roles import Role


async def role_of(services: Services, user_id: int) -> Role | None:
    """The user's staff role, or None for anyone who is not staff."""
    async with services.uow() as uow:
        return await uow.staff.role_of(user_id)
