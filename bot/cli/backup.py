"""`machikoe backup` and `restore`: SQLite online backups; pg_dump/pg_restore on PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
from sqlalchemy.engine import URL, make_url

from bot.app.services import database_url_for
from bot.cli import CliError
from bot.cli._shared import settings_of
from bot.logging_setup import install_redaction

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BUSY_TIMEOUT_S = 30.0
# Tables that a freshly started bot fills by itself: restoring over them needs no --force.
BOOKKEEPING_TABLES = frozenset({"alembic_version", "survey_definitions"})
PG_RECIPE = (
    'pg_dump --format=custom --no-owner --file=machikoe.dump "$DATABASE_URL"  then  '
    'pg_restore --clean --if-exists --no-owner --single-transaction -d "$DATABASE_URL" '
    "machikoe.dump (see docs/operations.md)"
)


def known_revisions() -> set[str]:
    """The Alembic revisions this version of machikoe knows."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    return {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }


def _check_revision(revision: str | None, what: str) -> str:
    """The backup's schema revision, refused if missing or from a newer machikoe."""
    if not revision:
        raise CliError(f"{what} is not a machikoe database (no alembic_version)")
    if revision not in known_revisions():
        raise CliError(f"{what} has schema revision {revision}, unknown to this machikoe (newer?)")
    return revision


# -- SQLite ------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    """The file of a SQLite URL."""
    if not url.database or url.database == ":memory:":
        raise CliError("backup needs a SQLite database file, not an in-memory database")
    return Path(url.database).expanduser()


@contextlib.contextmanager
def _sqlite(path: Path, mode: str) -> Iterator[sqlite3.Connection]:
    """A connection that never creates a missing file (mode ro or rw), closed afterwards."""
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        yield connection
    finally:
        connection.close()


def sqlite_revision(connection: sqlite3.Connection) -> str | None:
    """The alembic_version of a SQLite database, None if it has none."""
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def sqlite_holds_data(connection: sqlite3.Connection) -> bool:
    """True if any table besides the bookkeeping ones has a row."""
    tables = [
        str(row[0])
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        if table in BOOKKEEPING_TABLES:
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        if connection.execute(f"SELECT 1 FROM {quoted} LIMIT 1").fetchone():
            return True
    return False


def _fsync(path: Path) -> None:
    """Flush a file (or folder) to disk."""
    flags = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if path.is_dir() else os.O_RDONLY
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_private(path: Path) -> None:
    """Create an empty file only its owner can read (backups hold personal data)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def backup_sqlite(source: Path, output: Path) -> str:
    """Copy a live SQLite database with the online backup API, atomically; return revision."""
    if not source.is_file():
        raise CliError(f"no database at {source}")
    temporary = output.with_name(f".{output.name}.part")
    temporary.unlink(missing_ok=True)
    try:
        _create_private(temporary)
        with _sqlite(source, "rw") as live, contextlib.closing(sqlite3.connect(temporary)) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise CliError(f"the copy of {source} failed its integrity check")
            revision = _check_revision(sqlite_revision(copy), str(source))
        _fsync(temporary)
        os.replace(temporary, output)
        _fsync(output.parent)
    finally:
        temporary.unlink(missing_ok=True)
    return revision


def _check_sqlite_backup(backup: Path) -> str:
    """The revision of a SQLite backup file, after checking it is an intact machikoe database."""
    with backup.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise CliError(f"{backup} is not a SQLite backup")
    with _sqlite(backup, "ro") as connection:
        try:
            intact = connection.execute("PRAGMA quick_check").fetchone() == ("ok",)
        except sqlite3.DatabaseError:
            intact = False
        if not intact:
            raise CliError(f"{backup} is damaged (integrity check failed)")
        return _check_revision(sqlite_revision(connection), str(backup))


def restore_sqlite(backup: Path, target: Path, *, force: bool) -> str:
    """Replace the database's content by the backup's in one transaction; return revision."""
    revision = _check_sqlite_backup(backup)
    if target.is_file() and target.stat().st_size > 0:
        with _sqlite(target, "rw") as connection:
            if not force and sqlite_holds_data(connection):
                raise CliError(f"{target} already holds data; add --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        _sqlite(backup, "ro") as source,
        contextlib.closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)) as destination,
    ):
        source.backup(destination)  # all pages in one write transaction: atomic for readers
    return revision


# -- PostgreSQL --------------------------------------------------------------------------


def libpq_environment(url: URL) -> dict[str, str]:
    """PG* variables for pg_dump/pg_restore (the password never goes on the command line)."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode")
        if isinstance(url.query.get("sslmode"), str)
        else None,
    }
    env.update({name: str(value) for name, value in values.items() if value})
    return env


def _tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a one-line error with the recipe."""
    found = shutil.which(name)
    if found is None:
        raise CliError(f"{name} is not installed; back up PostgreSQL by hand: {PG_RECIPE}")
    return found


def _run(command: list[str], url: URL) -> str:
    """Run a PostgreSQL client program; its first error line becomes ours."""
    done = subprocess.run(
        command, env=libpq_environment(url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["failed"]
        raise CliError(f"{Path(command[0]).name}: {lines[0].strip()}")
    return done.stdout


def _dump_has_machikoe(dump: Path, url: URL) -> None:
    """Refuse a custom-format dump without machikoe's alembic_version table."""
    with dump.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise CliError(f"{dump} is not a pg_dump custom-format backup")
    listing = _run([_tool("pg_restore"), "--list", str(dump)], url)
    if not any("TABLE DATA" in line and "alembic_version" in line for line in listing.splitlines()):
        raise CliError(f"{dump} is not a machikoe database (no alembic_version)")


def backup_postgres(url: URL, output: Path) -> None:
    """pg_dump in custom format to a temporary name, checked, then renamed."""
    temporary = output.with_name(f".{output.name}.part")
    try:
        temporary.unlink(missing_ok=True)
        _create_private(temporary)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={temporary}"], url)
        _dump_has_machikoe(temporary, url)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


def postgres_holds_data(url: URL) -> bool:
    """True if any table besides the bookkeeping ones has a row."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                if table in BOOKKEEPING_TABLES:
                    continue
                quoted = '"' + table.replace('"', '""') + '"'
                if connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first():
                    return True
    finally:
        engine.dispose()
    return False


def restore_postgres(backup: Path, url: URL, *, force: bool) -> None:
    """pg_restore the dump in a single transaction (all or nothing)."""
    _dump_has_machikoe(backup, url)
    if not force and postgres_holds_data(url):
        raise CliError(f"database {url.database} already holds data; add --force to replace it")
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url.database}",
            str(backup),
        ],
        url,
    )


# -- commands ----------------------------------------------------------------------------


def _configured_url(ctx: click.Context) -> URL:
    """The database URL machikoe would use."""
    settings = settings_of(ctx)
    install_redaction(settings)
    return make_url(database_url_for(settings))


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Backup file to write (replaced atomically).",
)
@click.pass_context
def backup_command(ctx: click.Context, output: Path) -> None:
    """Back up the database while the bot runs (SQLite online backup, or pg_dump)."""
    url = _configured_url(ctx)
    try:
        if url.get_backend_name() == "sqlite":
            revision = backup_sqlite(sqlite_path(url), output)
            click.echo(f"backed up {sqlite_path(url)} (revision {revision}) to {output}")
        else:
            backup_postgres(url, output)
            click.echo(f"backed up PostgreSQL database {url.database} to {output}")
    except (OSError, sqlite3.Error) as exc:
        raise CliError(f"backup failed: {exc}") from None


@click.command("restore")
@click.option(
    "--input",
    "backup",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="A file written by `machikoe backup`.",
)
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@click.pass_context
def restore_command(ctx: click.Context, backup: Path, force: bool) -> None:
    """Restore a backup (stop the bot first); refuses to overwrite data without --force."""
    url = _configured_url(ctx)
    try:
        if url.get_backend_name() == "sqlite":
            target = sqlite_path(url)
            revision = restore_sqlite(backup, target, force=force)
            click.echo(f"restored {backup} (revision {revision}) into {target}")
        else:
            restore_postgres(backup, url, force=force)
            click.echo(f"restored {backup} into PostgreSQL database {url.database}")
    except (OSError, sqlite3.Error) as exc:
        raise CliError(f"restore failed: {exc}") from None
