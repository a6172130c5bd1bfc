"""LINE as a second resident channel: contacts by channel, LINE responses, the LINE inbox.

contacts gains `channel` ('telegram' for every existing row) and `line_user_id`, and its
chat_id may be NULL (a LINE resident has none); responses.mode may be 'line'; line_events is
the durable inbox of LINE webhook events (deduplicated by webhookEventId).

On SQLite, contacts is rebuilt in batch mode (no table references it); responses is not:
dropping it would cascade to every answer. Its CHECK constraint is loosened in place instead,
by editing the table's stored definition (SQLite's documented way for CHECK constraints: the
rows on disk do not change).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_MODES = "mode IN ('chat', 'mail', 'web')"
NEW_MODES = "mode IN ('chat', 'mail', 'web', 'line')"
MODE_CHECK = "ck_responses_mode"


def _set_response_modes(old: str, new: str) -> None:
    """Replace the CHECK constraint on responses.mode."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(MODE_CHECK), "responses", type_="check")
        op.create_check_constraint(op.f(MODE_CHECK), "responses", new)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = 'responses'"
        ),
        {"old": old, "new": new},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    """Add the channel columns, allow 'line' responses, create line_events."""
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), server_default="telegram", nullable=False)
        )
        batch_op.add_column(sa.Column("line_user_id", sa.String(length=64), nullable=True))
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_contacts_line_user_id"), ["line_user_id"])
        batch_op.create_check_constraint(
            batch_op.f("ck_contacts_channel"), "channel IN ('telegram', 'line')"
        )
    _set_response_modes(OLD_MODES, NEW_MODES)
    op.create_table(
        "line_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("state IN ('received', 'done')", name=op.f("ck_line_events_state")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_line_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_line_events_event_id")),
    )
    op.create_index(op.f("ix_line_events_state_seq"), "line_events", ["state", "seq"])
    op.create_index(op.f("ix_line_events_received_at"), "line_events", ["received_at"])


def downgrade() -> None:
    """Back to Telegram only: LINE contacts and the LINE inbox go, LINE responses become chat."""
    op.drop_index(op.f("ix_line_events_received_at"), table_name="line_events")
    op.drop_index(op.f("ix_line_events_state_seq"), table_name="line_events")
    op.drop_table("line_events")
    op.execute("UPDATE responses SET mode = 'chat' WHERE mode = 'line'")
    _set_response_modes(NEW_MODES, OLD_MODES)
    op.execute("DELETE FROM contacts WHERE chat_id IS NULL")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_contacts_channel"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_contacts_line_user_id"), type_="unique")
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column("line_user_id")
        batch_op.drop_column("channel")
