"""API keys and the audit trail of suggestion reviews.

Mirrors `storage/api_tables.py`.

Revision ID: 0003_api
Revises: 0002_plans
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_api"
down_revision = "0002_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_key_hash", "api_keys", ["key_hash"], unique=True)

    op.create_table(
        "suggestion_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "suggestion_id",
            sa.Integer(),
            sa.ForeignKey("plan_suggestions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("old_qty", sa.Float(), nullable=True),
        sa.Column("new_qty", sa.Float(), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("reviewed_by", sa.String(length=200), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_suggestion_reviews_suggestion_id", "suggestion_reviews", ["suggestion_id"])
    op.create_index("ix_suggestion_reviews_plan_run_id", "suggestion_reviews", ["plan_run_id"])


def downgrade() -> None:
    op.drop_table("suggestion_reviews")
    op.drop_table("api_keys")
