"""Tallies of complete responses and their answers by profile cell, kept by triggers.

The indicator report reads these small tables instead of joining millions of answers to
their responses. Triggers on responses and answers keep them exact in the same transaction
as every write (submission, import, edits of submitted answers, erasure, cascades).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VALUE_BYTES = 1024
DIMS = ("age_band", "sex", "district", "years_lived")
RESPONSE_KEY = "wave_id, age_band, sex, district, years_lived, mode"
ANSWER_KEY = "wave_id, question_id, answered, value, age_band, sex, district, years_lived, mode"
RESPONSE_COLUMNS = "status, wave_id, mode, age_band, sex, district, years_lived"
ANSWER_COLUMNS = "value, question_id, response_id"


def _cell(row: str) -> str:
    """The profile cell of a response row as tally key columns ('' for a missing value)."""
    dims = ", ".join(f"coalesce({row}.{d}, '')" for d in DIMS)
    return f"{dims}, {row}.mode"


def _tallied(value: str, dialect: str) -> str:
    """Whether an answer value is short enough to be tallied (free text is not)."""
    size = f"octet_length({value})" if dialect == "postgresql" else f"length(CAST({value} AS BLOB))"
    return f"({value} IS NULL OR {size} <= {VALUE_BYTES})"


def _response_statements(row: str, sign: str) -> list[str]:
    """Add (+) or remove (-) one complete response to the response tallies."""
    key = f"{row}.wave_id, {_cell(row)}"
    if sign == "+":
        return [
            f"INSERT INTO response_tallies ({RESPONSE_KEY}, total) VALUES ({key}, 1) "
            f"ON CONFLICT ({RESPONSE_KEY}) DO UPDATE SET total = response_tallies.total + 1"
        ]
    return [
        f"UPDATE response_tallies SET total = total - 1 WHERE ({RESPONSE_KEY}) = ({key})",
        f"DELETE FROM response_tallies WHERE ({RESPONSE_KEY}) = ({key}) AND total <= 0",
    ]


def _answer_statements(source: str, sign: str) -> list[str]:
    """Add (+) or remove (-) the answer tally keys a SELECT yields, one count each."""
    if sign == "+":
        return [
            f"INSERT INTO answer_tallies ({ANSWER_KEY}, total) {source} ORDER BY 2, 3, 4 "
            f"ON CONFLICT ({ANSWER_KEY}) DO UPDATE SET total = answer_tallies.total + 1"
        ]
    return [
        f"UPDATE answer_tallies SET total = total - 1 WHERE ({ANSWER_KEY}) IN ({source})",
        f"DELETE FROM answer_tallies WHERE ({ANSWER_KEY}) IN ({source}) AND total <= 0",
    ]


def _answers_of_response(row: str, dialect: str, sign: str) -> list[str]:
    """Tally statements for every answer of a response row (NEW or OLD)."""
    source = (
        f"SELECT {row}.wave_id, a.question_id, a.value IS NOT NULL, coalesce(a.value, ''), "
        f"{_cell(row)}, 1 FROM answers AS a "
        f"WHERE a.response_id = {row}.id AND {_tallied('a.value', dialect)}"
    )
    if sign == "-":
        source = source.replace(", 1 FROM", " FROM")
    return _answer_statements(source, sign)


def _answer_of_complete_response(row: str, dialect: str, sign: str) -> list[str]:
    """Tally statements for one answer row (NEW or OLD) if its response is complete."""
    source = (
        f"SELECT r.wave_id, {row}.question_id, {row}.value IS NOT NULL, "
        f"coalesce({row}.value, ''), {_cell('r')}, 1 FROM responses AS r "
        f"WHERE r.id = {row}.response_id AND r.status = 'complete' "
        f"AND {_tallied(f'{row}.value', dialect)}"
    )
    if sign == "-":
        source = source.replace(", 1 FROM", " FROM")
    return _answer_statements(source, sign)


def _triggers(dialect: str) -> list[tuple[str, str, str, list[str]]]:
    """(name, timing and event, condition, statements) of every tally trigger."""
    complete_new = "NEW.status = 'complete'"
    complete_old = "OLD.status = 'complete'"
    return [
        (
            "tally_response_insert",
            "AFTER INSERT ON responses",
            complete_new,
            _response_statements("NEW", "+"),
        ),
        (
            "tally_response_update_old",
            f"AFTER UPDATE OF {RESPONSE_COLUMNS} ON responses",
            complete_old,
            _response_statements("OLD", "-") + _answers_of_response("OLD", dialect, "-"),
        ),
        (
            "tally_response_update_new",
            f"AFTER UPDATE OF {RESPONSE_COLUMNS} ON responses",
            complete_new,
            _response_statements("NEW", "+") + _answers_of_response("NEW", dialect, "+"),
        ),
        (
            "tally_response_delete",
            "BEFORE DELETE ON responses",
            complete_old,
            _response_statements("OLD", "-") + _answers_of_response("OLD", dialect, "-"),
        ),
        (
            "tally_answer_insert",
            "AFTER INSERT ON answers",
            "",
            _answer_of_complete_response("NEW", dialect, "+"),
        ),
        (
            "tally_answer_update",
            f"AFTER UPDATE OF {ANSWER_COLUMNS} ON answers",
            "",
            _answer_of_complete_response("OLD", dialect, "-")
            + _answer_of_complete_response("NEW", dialect, "+"),
        ),
        (
            "tally_answer_delete",
            "AFTER DELETE ON answers",
            "",
            _answer_of_complete_response("OLD", dialect, "-"),
        ),
    ]


def _create_triggers(dialect: str) -> None:
    """Create the tally triggers in the backend's trigger language."""
    for name, event, condition, statements in _triggers(dialect):
        body = "; ".join(statements)
        if dialect == "postgresql":
            result = "OLD" if event.startswith("BEFORE") else "NULL"
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ "
                f"BEGIN {body}; RETURN {result}; END $body$"
            )
            when = f"WHEN ({condition}) " if condition else ""
            op.execute(
                f"CREATE TRIGGER {name} {event} FOR EACH ROW {when}EXECUTE FUNCTION {name}()"
            )
        else:
            when = f"WHEN {condition} " if condition else ""
            op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW {when}BEGIN {body}; END")


def _backfill(dialect: str) -> None:
    """Tally the complete responses and answers already stored."""
    op.execute(
        f"INSERT INTO response_tallies ({RESPONSE_KEY}, total) "
        f"SELECT r.wave_id, {_cell('r')}, count(*) FROM responses AS r "
        "WHERE r.status = 'complete' GROUP BY 1, 2, 3, 4, 5, 6"
    )
    op.execute(
        f"INSERT INTO answer_tallies ({ANSWER_KEY}, total) "
        f"SELECT r.wave_id, a.question_id, a.value IS NOT NULL, coalesce(a.value, ''), "
        f"{_cell('r')}, count(*) FROM answers AS a JOIN responses AS r ON r.id = a.response_id "
        f"WHERE r.status = 'complete' AND {_tallied('a.value', dialect)} "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
    )


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "response_tallies",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=32), nullable=False),
        sa.Column("sex", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("years_lived", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["waves.id"],
            name=op.f("fk_response_tallies_wave_id_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "wave_id",
            "age_band",
            "sex",
            "district",
            "years_lived",
            "mode",
            name=op.f("pk_response_tallies"),
        ),
    )
    op.create_table(
        "answer_tallies",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("age_band", sa.String(length=32), nullable=False),
        sa.Column("sex", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("years_lived", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["waves.id"],
            name=op.f("fk_answer_tallies_wave_id_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "wave_id",
            "question_id",
            "answered",
            "value",
            "age_band",
            "sex",
            "district",
            "years_lived",
            "mode",
            name=op.f("pk_answer_tallies"),
        ),
    )
    dialect = op.get_bind().dialect.name
    _backfill(dialect)
    _create_triggers(dialect)


def downgrade() -> None:
    """Revert this revision."""
    dialect = op.get_bind().dialect.name
    for name, event, _condition, _statements in _triggers(dialect):
        table = event.rsplit(" ON ", 1)[1]
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == "postgresql" else "")
        )
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("answer_tallies")
    op.drop_table("response_tallies")
