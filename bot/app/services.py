"""What every part of the running application shares: settings, the database, the clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from storage.connect import database_url
from storage.db import (
    UnitOfWork,
    create_engine,
    pseudonym,
    session_factory,
    upgrade_database,
)
from storage.lanes import Lane, step_lane_for

ResponseHook = Callable[[int], Awaitable[None]]
P = ParamSpec("P")
T = TypeVar("T")


def utc_now() -> datetime:
    """The current time, timezone-aware (the one clock read of the application)."""
    return datetime.now(UTC)


def database_url_for(settings: Settings) -> str:
    """The configured database URL, or SQLite in the data folder."""
    return database_url(settings.database_url, settings.data_dir)


@dataclass
class Services:
    """The application's shared parts, handed to Telegram handlers as `context.services`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    secret: str
    clock: Callable[[], datetime] = utc_now
    steps: Lane | None = None
    on_response_submitted: list[ResponseHook] = field(default_factory=list)

    @classmethod
    async def open(cls, settings: Settings, *, migrate: bool = True) -> Services:
        """Connect to the database (bringing its schema up to date) and read the secret."""
        url = database_url_for(settings)
        if migrate:
            await upgrade_database(url)
        engine = create_engine(url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            secret=settings.resolved_secret(),
            steps=step_lane_for(engine),
        )

    async def close(self) -> None:
        """Release database connections."""
        if self.steps is not None:
            await self.steps.close()
        await self.engine.dispose()

    def uow(self) -> UnitOfWork:
        """A new unit of work: `async with services.uow() as uow: ...; await uow.commit()`."""
        return UnitOfWork(self.sessions)

    def respondent_key(self, telegram_user_id: int) -> str:
        """The pseudonymous key of a Telegram user (never store the id itself in answers)."""
        return pseudonym(telegram_user_id, self.secret)

    @property
    def timezone(self) -> ZoneInfo:
        """The time zone staff think in (Asia/Tokyo by default)."""
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        """The current time from the injected clock."""
        return self.clock()

    async def response_submitted(self, response_id: int) -> None:
        """Tell interested parts (comment classification, …) that a response was submitted."""
        for hook in self.on_response_submitted:
            await hook(response_id)


def committed(
    operation: Callable[Concatenate[UnitOfWork, Services, P], Awaitable[T]],
) -> Callable[Concatenate[Services, P], Awaitable[T]]:
    """An operation that takes the caller's unit of work, run in one of its own and committed."""

    async def run(services: Services, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async with services.uow() as uow:
            result = await operation(uow, services, *args, **kwargs)
            await uow.commit()
        return result

    run.__name__ = operation.__name__.removesuffix("_in")
    run.__doc__ = operation.__doc__
    return run
