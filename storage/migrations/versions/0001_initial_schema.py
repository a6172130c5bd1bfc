"""Initial schema: residents, surveys, waves, responses, comments, staff, jobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("consent", sa.String(length=16), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("consent IN ('given', 'declined')", name=op.f("ck_respondents_consent")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondents")),
        sa.UniqueConstraint("key", name=op.f("uq_respondents_key")),
    )
    op.create_table(
        "staff",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'analyst')", name=op.f("ck_staff_role")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff")),
    )
    op.create_table(
        "survey_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_definitions")),
        sa.UniqueConstraint(
            "survey_id", "version", name=op.f("uq_survey_definitions_survey_id_version")
        ),
    )
    op.create_table(
        "contacts",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_contacts_respondent_id_respondents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("respondent_id", name=op.f("pk_contacts")),
    )
    op.create_table(
        "profiles",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=32), nullable=True),
        sa.Column("sex", sa.String(length=32), nullable=True),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("years_lived", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_profiles_respondent_id_respondents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("respondent_id", name=op.f("pk_profiles")),
    )
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("summary_schedule", sa.JSON(), nullable=True),
        sa.Column("embargo_lifted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'open', 'closed')", name=op.f("ck_waves_status")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["survey_definitions.id"],
            name=op.f("fk_waves_definition_id_survey_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waves")),
    )
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waves_survey_id_status"), ["survey_id", "status"], unique=False
        )

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed', 'blocked')", name=op.f("ck_invitations_state")
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_invitations_respondent_id_respondents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name=op.f("fk_invitations_wave_id_waves"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint(
            "wave_id",
            "respondent_id",
            "kind",
            name=op.f("uq_invitations_wave_id_respondent_id_kind"),
        ),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitations_respondent_id"), ["respondent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invitations_wave_id_kind_state_id"),
            ["wave_id", "kind", "state", "id"],
            unique=False,
        )

    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("respondent_ref", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("age_band", sa.String(length=32), nullable=True),
        sa.Column("sex", sa.String(length=32), nullable=True),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("years_lived", sa.String(length=32), nullable=True),
        sa.CheckConstraint("mode IN ('chat', 'mail', 'web')", name=op.f("ck_responses_mode")),
        sa.CheckConstraint("status IN ('partial', 'complete')", name=op.f("ck_responses_status")),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_responses_respondent_id_respondents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name=op.f("fk_responses_wave_id_waves"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint(
            "wave_id", "respondent_id", name=op.f("uq_responses_wave_id_respondent_id")
        ),
        sa.UniqueConstraint(
            "wave_id", "respondent_ref", name=op.f("uq_responses_wave_id_respondent_ref")
        ),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_responses_respondent_id"), ["respondent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_responses_wave_id_status"), ["wave_id", "status"], unique=False
        )

    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'running', 'done')", name=op.f("ck_scheduled_jobs_state")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["waves.id"],
            name=op.f("fk_scheduled_jobs_wave_id_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
        sa.UniqueConstraint(
            "kind", "wave_id", "run_at", name=op.f("uq_scheduled_jobs_kind_wave_id_run_at")
        ),
    )
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_jobs_state_run_at"), ["state", "run_at"], unique=False
        )

    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("other_text", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_answers_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint(
            "response_id", "question_id", name=op.f("uq_answers_response_id_question_id")
        ),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answers_question_id_value_response_id"),
            ["question_id", "value", "response_id"],
            unique=False,
        )

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("masked_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("goals", sa.String(length=64), nullable=True),
        sa.Column("primary_goal", sa.String(length=16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_comments_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name=op.f("fk_comments_wave_id_waves"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("answer_id", name=op.f("uq_comments_answer_id")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comments_needs_review"), ["needs_review"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_comments_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "comment_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("goals", sa.String(length=64), nullable=False),
        sa.Column("labeled_by", sa.BigInteger(), nullable=False),
        sa.Column("labeled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_labels_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_labels")),
    )
    with op.batch_alter_table("comment_labels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_labels_comment_id"), ["comment_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("comment_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_labels_comment_id"))

    op.drop_table("comment_labels")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_wave_id"))
        batch_op.drop_index(batch_op.f("ix_comments_needs_review"))

    op.drop_table("comments")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_question_id_value_response_id"))

    op.drop_table("answers")
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_jobs_state_run_at"))

    op.drop_table("scheduled_jobs")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_wave_id_status"))
        batch_op.drop_index(batch_op.f("ix_responses_respondent_id"))

    op.drop_table("responses")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_wave_id_kind_state_id"))
        batch_op.drop_index(batch_op.f("ix_invitations_respondent_id"))

    op.drop_table("invitations")
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waves_survey_id_status"))

    op.drop_table("waves")
    op.drop_table("profiles")
    op.drop_table("contacts")
    op.drop_table("survey_definitions")
    op.drop_table("staff")
    op.drop_table("respondents")
