"""Engine, sessions, the unit of work, migrations and the respondent pseudonym."""

from __future__ import annotations

import hashlib
import hmac
import os
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.repositories import (
    AggregateRepository,
    AnswerRepository,
    CommentRepository,
    ContactRepository,
    InvitationRepository,
    JobRepository,
    ProfileRepository,
    RespondentRepository,
    ResponseRepository,
    StaffRepository,
    SurveyRepository,
    WaveRepository,
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_BEGIN = "sqlite_begin"


def default_database_url() -> str:
    """The embedded SQLite database in the data directory."""
    data_dir = Path(os.environ.get("MACHIKOE_DATA_DIR") or "./var")
    return f"sqlite+aiosqlite:///{data_dir / 'machikoe.db'}"


DEFAULT_DATABASE_URL = default_database_url()


def resolve_database_url(url: str | None = None) -> str:
    """Pick the URL (argument, then MACHIKOE_DATABASE_URL, then default) with an async driver."""
    chosen = url or os.environ.get("MACHIKOE_DATABASE_URL") or default_database_url()
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg2://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+pysqlite://", "sqlite+aiosqlite://"),
    ):
        if chosen.startswith(plain):
            return driver + chosen[len(plain) :]
    return chosen


def _is_sqlite(url: str) -> bool:
    """True for SQLite URLs."""
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: str) -> None:
    """Create the folder of a SQLite database file if it is missing."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout on every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Start a writing transaction with BEGIN IMMEDIATE: take the write lock first (waiting on
    busy_timeout), so a read followed by a write never fails on a snapshot another writer moved;
    other transactions keep the driver's lazy BEGIN (reads take no lock)."""
    if connection.get_execution_options().get(SQLITE_BEGIN) == "immediate":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str | None = None, **options: Any) -> AsyncEngine:
    """An async engine: SQLite with WAL and foreign keys, or PostgreSQL via asyncpg."""
    url = resolve_database_url(url)
    if _is_sqlite(url):
        _prepare_sqlite_file(url)
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
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


def writing_bind(engine: AsyncEngine) -> AsyncEngine:
    """The engine for writing units of work: on SQLite their transactions BEGIN IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return engine
    cached = _WRITING_BINDS.get(engine.sync_engine)
    if cached is None:
        cached = engine.execution_options(**{SQLITE_BEGIN: "immediate"})
        _WRITING_BINDS[engine.sync_engine] = cached
    return cached


_WRITING_BINDS: weakref.WeakKeyDictionary[Any, AsyncEngine] = weakref.WeakKeyDictionary()


class UnitOfWork:
    """One transaction with every repository; commits only when asked, rolls back otherwise.

    `write=True` marks a unit of work that will write: on SQLite it takes the write lock at
    its first statement (BEGIN IMMEDIATE), so its reads and writes form one consistent step.
    """

    respondents: RespondentRepository
    contacts: ContactRepository
    profiles: ProfileRepository
    surveys: SurveyRepository
    waves: WaveRepository
    responses: ResponseRepository
    answers: AnswerRepository
    comments: CommentRepository
    staff: StaffRepository
    invitations: InvitationRepository
    jobs: JobRepository
    aggregates: AggregateRepository

    def __init__(self, factory: async_sessionmaker[AsyncSession], *, write: bool = False) -> None:
        self._factory = factory
        self._write = write
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session (only inside `async with`)."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        bind = self._factory.kw.get("bind")
        if self._write and isinstance(bind, AsyncEngine):
            session = self._factory(bind=writing_bind(bind))
        else:
            session = self._factory()
        self._session = session
        self.respondents = RespondentRepository(session)
        self.contacts = ContactRepository(session)
        self.profiles = ProfileRepository(session)
        self.surveys = SurveyRepository(session)
        self.waves = WaveRepository(session)
        self.responses = ResponseRepository(session)
        self.answers = AnswerRepository(session)
        self.comments = CommentRepository(session)
        self.staff = StaffRepository(session)
        self.invitations = InvitationRepository(session)
        self.jobs = JobRepository(session)
        self.aggregates = AggregateRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def commit(self) -> None:
        """Commit everything done so far; later work starts a new transaction."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Throw away everything not yet committed."""
        await self.session.rollback()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code, pointing at the shipped migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    """Run Alembic's upgrade to head on a synchronous connection."""
    command.upgrade(alembic_config(connection), "head")


async def upgrade_database(url: str | None = None) -> None:
    """Bring the database schema to the latest migration (safe to run again)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()


def pseudonym(telegram_user_id: int, secret: str) -> str:
    """The respondent key: HMAC-SHA256 of the Telegram user id, first 32 hex characters."""
    if not secret:
        raise ValueError("a non-empty pseudonym secret is required")
    digest = hmac.new(secret.encode(), str(telegram_user_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
