"""Invitations get a real ``sending`` state instead of a claim marker in their error column.

A sender claims pending invitations by moving them to ``sending``; the claims that the old
code wrote as ``error = 'sending <sender> <token>'`` on a pending row become ``sending`` rows
(keeping their claim time, so a stale one still fails after the lease instead of being resent).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "state IN ('pending', 'sent', 'failed', 'blocked')"
NEW_STATES = "state IN ('pending', 'sending', 'sent', 'failed', 'blocked')"
OLD_CLAIM = "sending "
"""How revision 0002's code marked a claimed pending invitation (in ``error``)."""


def _states(condition: str) -> None:
    """Replace the CHECK constraint on invitation states (SQLite rebuilds the table)."""
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_invitations_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_invitations_state"), condition)


def upgrade() -> None:
    """Allow the sending state and turn old claim markers into it."""
    _states(NEW_STATES)
    op.execute(
        "UPDATE invitations SET state = 'sending', error = NULL "
        f"WHERE state = 'pending' AND error LIKE '{OLD_CLAIM}%'"
    )


def downgrade() -> None:
    """Turn sending invitations back into the old claim marker and drop the state."""
    op.execute(
        f"UPDATE invitations SET state = 'pending', error = '{OLD_CLAIM}(claimed before "
        "downgrade)' WHERE state = 'sending'"
    )
    _states(OLD_STATES)
