"""Service target of each stored suggestion: class, service group, target fill rate.

Adds three nullable columns to `plan_suggestions` (mirrors `storage/plan_tables.py`);
suggestions stored before this revision keep NULL in them. Plain ALTER TABLE on both
SQLite and PostgreSQL (no table copy), so existing rows and their reviews stay.

Revision ID: 0004_suggestion_service
Revises: 0003_api
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_suggestion_service"
down_revision = "0003_api"
branch_labels = None
depends_on = None

COLUMNS = ("service_class", "service_group", "target_fill_rate")


def upgrade() -> None:
    op.add_column("plan_suggestions", sa.Column("service_class", sa.String(8), nullable=True))
    op.add_column("plan_suggestions", sa.Column("service_group", sa.String(64), nullable=True))
    op.add_column("plan_suggestions", sa.Column("target_fill_rate", sa.Float(), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): a batch copy of the table would
    # drop and recreate it, and the drop would cascade to its suggestion_reviews rows
    for name in reversed(COLUMNS):
        op.drop_column("plan_suggestions", name)
