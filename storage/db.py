"""Engine, sessions, the unit of work, migrations and the respondent pseudonym."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import weakref
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.connect import (
    is_sqlite,
    prepare_sqlite_file,
    resolve_database_url,
    sqlite_pragmas,
)
from storage.migrate import upgrade_engine
from storage.repositories import (
    AggregateRepository,
    AnswerRepository,
    CommentRepository,
    ContactRepository,
    ImportRepository,
    InvitationRepository,
    JobRepository,
    ProfileRepository,
    RespondentRepository,
    ResponseRepository,
    RetentionRepository,
    StaffRepository,
    SurveyRepository,
    WaveRepository,
)


def create_engine(url: str | None = None, **options: Any) -> AsyncEngine:
    """An async engine: SQLite with WAL and foreign keys, or PostgreSQL via asyncpg."""
    url = resolve_database_url(url)
    if is_sqlite(url):
        prepare_sqlite_file(url)
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    settings: dict[str, Any] = {
        "pool_size": 10,
        "max_overflow": 10,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
    }
    settings.update(options)
    return create_async_engine(url, **settings)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def writers_turn(engine: AsyncEngine) -> asyncio.Lock:
    """The turn this process's writers of a SQLite database take, in arrival order."""
    turn = _TURNS.get(engine.sync_engine)
    if turn is None:
        turn = _TURNS[engine.sync_engine] = asyncio.Lock()
    return turn


_TURNS: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


class UnitOfWork:
    """One transaction with every repository; commits only when asked, rolls back otherwise.

    On SQLite, reads take no lock; `begin_write()` before the first write takes the write lock
    (BEGIN IMMEDIATE) until commit or rollback, writers of this process taking turns in arrival
    order (SQLite's busy handler polls with growing sleeps, unfair under load). A unit of work
    that began writing must not open another one that writes.
    """

    respondents: RespondentRepository
    contacts: ContactRepository
    profiles: ProfileRepository
    surveys: SurveyRepository
    waves: WaveRepository
    responses: ResponseRepository
    imports: ImportRepository
    answers: AnswerRepository
    comments: CommentRepository
    staff: StaffRepository
    invitations: InvitationRepository
    jobs: JobRepository
    aggregates: AggregateRepository
    retention: RetentionRepository

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        self._turn: asyncio.Lock | None = None
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session (only inside `async with`)."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        session = self._factory()
        self._session = session
        self.respondents = RespondentRepository(session)
        self.contacts = ContactRepository(session)
        self.profiles = ProfileRepository(session)
        self.surveys = SurveyRepository(session)
        self.waves = WaveRepository(session)
        self.responses = ResponseRepository(session)
        self.imports = ImportRepository(session)
        self.answers = AnswerRepository(session)
        self.comments = CommentRepository(session)
        self.staff = StaffRepository(session)
        self.invitations = InvitationRepository(session)
        self.jobs = JobRepository(session)
        self.aggregates = AggregateRepository(session)
        self.retention = RetentionRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        # a unit of work that never touched the database (a survey step on a step lane) has
        # nothing to end, and ending it anyway costs more than the rest of its life
        used = session.in_transaction() or self._turn is not None
        try:
            if used:
                await session.rollback()
        finally:
            try:
                if used:
                    await session.close()
            finally:
                self._session = None
                self._end_write()

    @property
    def writing(self) -> bool:
        """Whether this unit of work holds the writers' turn (on SQLite)."""
        return self._turn is not None

    async def begin_write(self) -> None:
        """Writing starts: on SQLite wait for the turn and take the write lock until the end of
        the transaction (nothing to do elsewhere, or when already writing)."""
        session = self.session
        bind = session.bind
        if self._turn is not None or not isinstance(bind, AsyncEngine):
            return
        if bind.dialect.name != "sqlite":
            return
        # the connection first: a writer holding the turn must never wait for the pool, which
        # readers waiting for the turn may have drained
        connection = await session.connection()
        turn = writers_turn(bind)
        await turn.acquire()
        self._turn = turn
        try:
            raw = await connection.get_raw_connection()
            if not getattr(raw.driver_connection, "in_transaction", False):
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._end_write()
            raise

    def _end_write(self) -> None:
        """Give the writers' turn back."""
        if self._turn is not None:
            self._turn.release()
            self._turn = None

    async def commit(self) -> None:
        """Commit everything done so far; later work starts a new transaction."""
        try:
            await self.session.commit()
        finally:
            self._end_write()

    async def rollback(self) -> None:
        """Throw away everything not yet committed."""
        try:
            await self.session.rollback()
        finally:
            self._end_write()


async def upgrade_database(url: str | None = None) -> None:
    """Bring the database schema to the latest migration (safe to run again)."""
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()


def pseudonym(telegram_user_id: int, secret: str) -> str:
    """The respondent key: HMAC-SHA256 of the Telegram user id, first 32 hex characters."""
    if not secret:
        raise ValueError("a non-empty pseudonym secret is required")
    digest = hmac.new(secret.encode(), str(telegram_user_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
