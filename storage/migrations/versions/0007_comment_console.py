"""The console's comment workspace: seek indexes, the label's previous goals, hidden comments.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the seek indexes, comment_labels.previous_goals and comment_hides."""
    op.create_index(op.f("ix_comments_wave_id_id"), "comments", ["wave_id", "id"])
    op.create_index(
        op.f("ix_comments_wave_id_confidence_id"), "comments", ["wave_id", "confidence", "id"]
    )
    op.create_index(op.f("ix_comments_confidence_id"), "comments", ["confidence", "id"])
    with op.batch_alter_table("comment_labels") as batch_op:
        batch_op.add_column(sa.Column("previous_goals", sa.String(length=64), nullable=True))
    op.create_table(
        "comment_hides",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("hidden_by", sa.BigInteger(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_hides_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_comment_hides")),
    )


def downgrade() -> None:
    """Drop comment_hides, the previous goals and the seek indexes."""
    op.drop_table("comment_hides")
    with op.batch_alter_table("comment_labels") as batch_op:
        batch_op.drop_column("previous_goals")
    op.drop_index(op.f("ix_comments_confidence_id"), table_name="comments")
    op.drop_index(op.f("ix_comments_wave_id_confidence_id"), table_name="comments")
    op.drop_index(op.f("ix_comments_wave_id_id"), table_name="comments")
