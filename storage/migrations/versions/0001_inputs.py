"""Input tables: items, locations, lanes, suppliers, supply, sales, weather, promotions,
inventory, purchase_orders (see docs/data-formats.md).

Revision ID: 0001_inputs
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_inputs"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    """A foreign key checked at commit, so one import may write rows in any order."""
    return sa.ForeignKeyConstraint([column], [target], deferrable=True, initially="DEFERRED")


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("unit_cost", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("sku"),
    )
    op.create_table(
        "locations",
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("parent", sa.String(), nullable=True),
        sa.Column("backup", sa.String(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("capacity_units", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("location"),
        _fk("parent", "locations.location"),
        _fk("backup", "locations.location"),
    )
    op.create_table(
        "lanes",
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("destination", sa.String(), nullable=False),
        sa.Column("transit_days", sa.Float(), nullable=False),
        sa.Column("cost_per_unit", sa.Float(), nullable=False),
        sa.Column("capacity_units_per_day", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("origin", "destination"),
        _fk("origin", "locations.location"),
        _fk("destination", "locations.location"),
    )
    op.create_table(
        "suppliers",
        sa.Column("supplier", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("supplier"),
    )
    op.create_table(
        "supply",
        sa.Column("supplier", sa.String(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("lead_time_days", sa.Float(), nullable=False),
        sa.Column("lead_time_std_days", sa.Float(), nullable=False),
        sa.Column("order_days", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("supplier", "sku", "location"),
        _fk("supplier", "suppliers.supplier"),
        _fk("sku", "items.sku"),
        _fk("location", "locations.location"),
    )
    op.create_table(
        "sales",
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sku", "location", "date"),
        # no foreign keys: the importer checks references; per-row checks triple bulk time
        sqlite_with_rowid=False,  # rows in the primary-key tree: half the size, faster load
    )
    op.create_table(
        "weather",
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("precipitation_mm", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("location", "date", "kind"),
        _fk("location", "locations.location"),
    )
    op.create_table(
        "promotions",
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("discount_pct", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sku", "location", "start_date"),
        _fk("sku", "items.sku"),
    )
    op.create_table(
        "inventory",
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("on_hand", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sku", "location", "as_of"),
        _fk("sku", "items.sku"),
        _fk("location", "locations.location"),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
        _fk("sku", "items.sku"),
        _fk("location", "locations.location"),
    )


def downgrade() -> None:
    for table in (
        "purchase_orders",
        "inventory",
        "promotions",
        "weather",
        "sales",
        "supply",
        "suppliers",
        "lanes",
        "locations",
        "items",
    ):
        op.drop_table(table)
