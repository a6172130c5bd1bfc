"""Answer tallies count only choice codes, so residents' free text is no longer copied there.

Revision 0002 tallied every answer value up to 1024 bytes, which put short comments (personal
data) into a second table. Only choice answers (single, likert, multi: codes ``[a-z0-9_-]``
joined by ``;``) are ever reported from the tallies, so the triggers now count a value only if
it looks like such a code (skipped answers are still counted), and tally rows of other values
are deleted. The downgrade restores 0002's triggers without copying free text back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE_CHARS = 200
SQLITE_NOT_CODE_GLOB = "*[^a-z0-9_;-]*"
POSTGRES_CODE_REGEX = f"^[a-z0-9_;-]{{0,{CODE_CHARS}}}$"
TALLIES_0002 = Path(__file__).with_name("0002_answer_tallies.py")


def _code_like(value: str, dialect: str) -> str:
    """SQL that is true if a value looks like choice codes (lowercase ASCII, '_', '-', ';')."""
    if dialect == "postgresql":
        return f"({value} ~ '{POSTGRES_CODE_REGEX}')"
    return f"(length({value}) <= {CODE_CHARS} AND {value} NOT GLOB '{SQLITE_NOT_CODE_GLOB}')"


def _tallied(value: str, dialect: str) -> str:
    """Whether an answer value is tallied: skipped (NULL) or choice codes, never free text."""
    return f"({value} IS NULL OR {_code_like(value, dialect)})"


def _tallies_0002(codes_only: bool) -> ModuleType:
    """A private copy of revision 0002's trigger builder, optionally with this revision's rule."""
    spec = importlib.util.spec_from_file_location("machikoe_tallies_0002", TALLIES_0002)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if codes_only:
        module.__dict__["_tallied"] = _tallied
    return module


def _drop_triggers(tallies: ModuleType, dialect: str) -> None:
    """Drop every tally trigger (and its PostgreSQL function)."""
    for name, event, _condition, _statements in tallies._triggers(dialect):
        if dialect == "postgresql":
            table = event.rsplit(" ON ", 1)[1]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _replace_triggers(codes_only: bool) -> None:
    """Recreate the tally triggers under 0002's rule or this revision's."""
    dialect = op.get_bind().dialect.name
    tallies = _tallies_0002(codes_only)
    _drop_triggers(tallies, dialect)
    tallies._create_triggers(dialect)


def upgrade() -> None:
    """Apply this revision."""
    dialect = op.get_bind().dialect.name
    _replace_triggers(codes_only=True)
    op.execute(f"DELETE FROM answer_tallies WHERE NOT {_code_like('value', dialect)}")


def downgrade() -> None:
    """Revert this revision (free text deleted from the tallies is not copied back)."""
    _replace_triggers(codes_only=False)
