"""Plan runs and their results (forecasts, backtest metrics, suggestions, allocations, routes).

Mirrors `storage/plan_tables.py`. Result tables carry `plan_run_id` (FK, cascade on delete)
and plain sku/location strings (no FK to the input tables).

Revision ID: 0002_plans
Revises: 0001_inputs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_plans"
down_revision = "0001_inputs"
branch_labels = None
depends_on = None


def _run_fk() -> sa.Column:
    return sa.Column(
        "plan_run_id",
        sa.Integer(),
        sa.ForeignKey("plan_runs.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "plan_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("triggered_by", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_step", sa.String(length=32), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("hostname", sa.String(length=255), nullable=True),
        sa.UniqueConstraint("as_of", "version", name="uq_plan_runs_as_of_version"),
    )
    op.create_index("ix_plan_runs_as_of", "plan_runs", ["as_of"])
    op.create_index("ix_plan_runs_status_as_of", "plan_runs", ["status", "as_of"])

    op.create_table(
        "plan_forecasts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _run_fk(),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("p10", sa.Float(), nullable=True),
        sa.Column("p50", sa.Float(), nullable=True),
        sa.Column("p90", sa.Float(), nullable=True),
        sa.Column("quantiles", sa.JSON(), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
    )
    op.create_index(
        "ix_plan_forecasts_run_location",
        "plan_forecasts",
        ["plan_run_id", "location", "sku", "date"],
    )
    op.create_index("ix_plan_forecasts_run_sku", "plan_forecasts", ["plan_run_id", "sku"])

    op.create_table(
        "plan_backtest_metrics",
        sa.Column("id", sa.Integer(), primary_key=True),
        _run_fk(),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("demand_class", sa.String(length=32), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("mase", sa.Float(), nullable=True),
        sa.Column("cold_start", sa.Boolean(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=True),
    )
    op.create_index(
        "ix_plan_backtest_run_location",
        "plan_backtest_metrics",
        ["plan_run_id", "location", "sku"],
    )

    op.create_table(
        "plan_suggestions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _run_fk(),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("location_kind", sa.String(length=16), nullable=True),
        sa.Column("origin", sa.String(length=64), nullable=True),
        sa.Column("order_qty", sa.Float(), nullable=False),
        sa.Column("order_up_to", sa.Float(), nullable=True),
        sa.Column("reorder_point", sa.Float(), nullable=True),
        sa.Column("safety_stock", sa.Float(), nullable=True),
        sa.Column("position", sa.Float(), nullable=True),
        sa.Column("demand_over_protection", sa.Float(), nullable=True),
        sa.Column("flags", sa.String(length=512), nullable=False),
        sa.Column("explanation", sa.String(), nullable=False),
        sa.Column("review_status", sa.String(length=16), nullable=False),
        sa.Column("final_qty", sa.Float(), nullable=True),
        sa.Column("reason_code", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.String(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=128), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_plan_suggestions_run_location", "plan_suggestions", ["plan_run_id", "location", "sku"]
    )
    op.create_index("ix_plan_suggestions_run_sku", "plan_suggestions", ["plan_run_id", "sku"])

    op.create_table(
        "plan_allocations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _run_fk(),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=True),
    )
    op.create_index(
        "ix_plan_allocations_run_destination",
        "plan_allocations",
        ["plan_run_id", "destination", "sku"],
    )
    op.create_index(
        "ix_plan_allocations_run_origin", "plan_allocations", ["plan_run_id", "origin", "sku"]
    )

    op.create_table(
        "plan_route_legs",
        sa.Column("id", sa.Integer(), primary_key=True),
        _run_fk(),
        sa.Column("route_date", sa.Date(), nullable=False),
        sa.Column("depot", sa.String(length=64), nullable=False),
        sa.Column("vehicle", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("stop", sa.String(length=64), nullable=False),
        sa.Column("arrival", sa.String(length=8), nullable=True),
        sa.Column("departure", sa.String(length=8), nullable=True),
        sa.Column("load_after", sa.Float(), nullable=True),
        sa.Column("distance_km", sa.Float(), nullable=True),
    )
    op.create_index(
        "ix_plan_route_legs_run_depot",
        "plan_route_legs",
        ["plan_run_id", "depot", "vehicle", "sequence"],
    )
    op.create_index("ix_plan_route_legs_run_stop", "plan_route_legs", ["plan_run_id", "stop"])

    op.create_table(
        "plan_unserved",
        sa.Column("id", sa.Integer(), primary_key=True),
        _run_fk(),
        sa.Column("depot", sa.String(length=64), nullable=False),
        sa.Column("stop", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
    )
    op.create_index("ix_plan_unserved_run_depot", "plan_unserved", ["plan_run_id", "depot"])


def downgrade() -> None:
    for table in (
        "plan_unserved",
        "plan_route_legs",
        "plan_allocations",
        "plan_suggestions",
        "plan_backtest_metrics",
        "plan_forecasts",
        "plan_runs",
    ):
        op.drop_table(table)
