"""Sending hours and reminder rules per wave, the results message, and when an invitation may go.

waves.contact_rules holds a wave's sending window, reminder cap and minimum gap (NULL: the
defaults); waves.results_message / results_sent_at the "you said, we did" message sent once.
invitations.not_before keeps a message back until the minimum gap since the resident's last
message has passed; invitations.reminder_number counts a resident's reminders in a wave, and
its unique index is what holds the reminder cap across replicas.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMINDER_INDEX = "ix_invitations_wave_id_respondent_id_reminder_number"


def upgrade() -> None:
    """Add the columns and the unique reminder index."""
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_rules", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("results_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("results_sent_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminder_number", sa.Integer(), nullable=True))
    op.create_index(
        REMINDER_INDEX,
        "invitations",
        ["wave_id", "respondent_id", "reminder_number"],
        unique=True,
    )


def downgrade() -> None:
    """Drop them again, with plain ALTER TABLE: SQLite's batch mode would rebuild waves, and
    dropping the old table cascades to every response of every wave."""
    op.drop_index(REMINDER_INDEX, table_name="invitations")
    for table, column in (
        ("invitations", "reminder_number"),
        ("invitations", "not_before"),
        ("waves", "results_sent_at"),
        ("waves", "results_message"),
        ("waves", "contact_rules"),
    ):
        op.drop_column(table, column)
