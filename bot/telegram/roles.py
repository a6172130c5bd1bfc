"""Staff roles: who may run which command. Residents see staff commands as unknown commands."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import ContextTypes

from bot.app.services import Services
from bot.app.staff import role_of
from bot.telegram.context import services_of_application
from surveys.roles import Role

log = logging.getLogger(__name__)

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]
C = TypeVar("C", bound=Callback)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The application's shared services."""
    return services_of_application(context.application)


def require_role(*roles: Role) -> Callable[[C], C]:
    """Run the callback only for staff with one of `roles`; others see an unknown command."""
    allowed = frozenset(roles)

    def decorate(callback: C) -> C:
        @functools.wraps(callback)
        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
            user = update.effective_user
            services = services_of(context)
            role = await role_of(services, user.id) if user else None
            if role in allowed:
                return await callback(update, context)
            who = services.respondent_key(user.id) if user else "anonymous"
            log.warning(
                "refused staff action %s for %s (role %s)", callback.__name__, who, role or "none"
            )
            if update.callback_query is not None:
                await update.callback_query.answer()
            from bot.telegram.fallback import reply_unknown_command

            await reply_unknown_command(update, context)
            return None

        return guarded  # type: ignore[return-value]

    return decorate
