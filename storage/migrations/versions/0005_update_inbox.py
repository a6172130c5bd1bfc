"""The inbox of Telegram updates: recorded before they are confirmed, marked done once handled.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create inbox_updates."""
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("state IN ('received', 'done')", name=op.f("ck_inbox_updates_state")),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox_updates")),
    )
    op.create_index(
        op.f("ix_inbox_updates_state_update_id"), "inbox_updates", ["state", "update_id"]
    )
    op.create_index(op.f("ix_inbox_updates_received_at"), "inbox_updates", ["received_at"])


def downgrade() -> None:
    """Drop inbox_updates."""
    op.drop_index(op.f("ix_inbox_updates_received_at"), table_name="inbox_updates")
    op.drop_index(op.f("ix_inbox_updates_state_update_id"), table_name="inbox_updates")
    op.drop_table("inbox_updates")
