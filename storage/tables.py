"""SQLModel tables of the planning inputs: one table per CSV kind, same column names.

Table names are the kind names (`items`, `locations`, ...); columns are the CSV columns of
`docs/data-formats.md`. Every table's primary key is the kind's natural key, so an import
upserts with `INSERT ... ON CONFLICT (<natural key>) DO UPDATE`.

Foreign keys (on every table but the `sales` fact table) are declared `DEFERRABLE INITIALLY
DEFERRED` (PostgreSQL and SQLite both honour it): they are checked at commit, so one import
transaction may write rows in any order (a front location may reference a regional one
further down the same file).

Units: quantities in units of the item (`units`, `on_hand`, `capacity_units`), money in the
account currency per unit, durations in days, temperatures in degrees Celsius, precipitation
in millimetres, discounts in percent (0-100).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, ForeignKey, String
from sqlmodel import Field, SQLModel

__all__ = [
    "INPUT_TABLES",
    "InventoryRecord",
    "Item",
    "Lane",
    "Location",
    "Promotion",
    "PurchaseOrder",
    "Sale",
    "Supplier",
    "Supply",
    "Weather",
]

# Stored in `promotions.location` for a promotion that applies to every location (blank in CSV).
ALL_LOCATIONS = ""


def _ref(target: str, *, primary_key: bool = False, nullable: bool = False) -> Column:
    """A string column referencing `target` ("table.column"), checked at commit."""
    return Column(
        String,
        ForeignKey(target, deferrable=True, initially="DEFERRED"),
        primary_key=primary_key,
        nullable=nullable and not primary_key,
    )


class Item(SQLModel, table=True):
    """A stock-keeping unit. Money per unit; `shelf_life_days` None = not perishable."""

    __tablename__ = "items"

    sku: str = Field(primary_key=True)
    name: str
    category: str
    unit_cost: float
    unit_price: float
    pack_size: int = 1
    moq: int = 0
    shelf_life_days: int | None = None


class Location(SQLModel, table=True):
    """A warehouse: `kind` is `regional` or `front`; a front one has a regional `parent`.

    `backup` is the location that takes over when this one is down; `capacity_units` None =
    unlimited. Coordinates in decimal degrees (WGS 84).
    """

    __tablename__ = "locations"

    location: str = Field(primary_key=True)
    name: str
    kind: str
    parent: str | None = Field(default=None, sa_column=_ref("locations.location", nullable=True))
    backup: str | None = Field(default=None, sa_column=_ref("locations.location", nullable=True))
    latitude: float
    longitude: float
    capacity_units: float | None = None


class Lane(SQLModel, table=True):
    """A transport lane between two locations; `capacity_units_per_day` None = unlimited."""

    __tablename__ = "lanes"

    origin: str = Field(sa_column=_ref("locations.location", primary_key=True))
    destination: str = Field(sa_column=_ref("locations.location", primary_key=True))
    transit_days: float
    cost_per_unit: float
    capacity_units_per_day: float | None = None


class Supplier(SQLModel, table=True):
    """An external supplier."""

    __tablename__ = "suppliers"

    supplier: str = Field(primary_key=True)
    name: str


class Supply(SQLModel, table=True):
    """Which supplier supplies which sku to which regional warehouse, and how fast.

    `order_days`: comma-separated weekday tokens (`Mon,Thu`); None = any day.
    """

    __tablename__ = "supply"

    supplier: str = Field(sa_column=_ref("suppliers.supplier", primary_key=True))
    sku: str = Field(sa_column=_ref("items.sku", primary_key=True))
    location: str = Field(sa_column=_ref("locations.location", primary_key=True))
    lead_time_days: float
    lead_time_std_days: float = 0.0
    order_days: str | None = None


class Sale(SQLModel, table=True):
    """Units sold of a sku at a location on a day (negative = net returns), stored as given.

    No foreign keys on this fact table (hundreds of thousands of rows): a per-row key check
    would triple the bulk import time. The importer checks every sku and location against
    the database and the batch inside the import transaction instead. On SQLite the table is
    `WITHOUT ROWID` (rows live in the primary-key tree: half the size, 2x faster bulk load).
    """

    __tablename__ = "sales"
    __table_args__ = {"sqlite_with_rowid": False}

    sku: str = Field(sa_column=Column(String, primary_key=True))
    location: str = Field(sa_column=Column(String, primary_key=True))
    date: dt.date = Field(sa_column=Column(Date, primary_key=True))
    units: float


class Weather(SQLModel, table=True):
    """Daily weather at a location; `kind` is `observed` or `forecast`. None = not known."""

    __tablename__ = "weather"

    location: str = Field(sa_column=_ref("locations.location", primary_key=True))
    date: dt.date = Field(sa_column=Column(Date, primary_key=True))
    kind: str = Field(sa_column=Column(String, primary_key=True))
    temperature_c: float | None = None
    precipitation_mm: float | None = None


class Promotion(SQLModel, table=True):
    """A price promotion from `start_date` to `end_date` inclusive, `discount_pct` in 0-100.

    `location` is `ALL_LOCATIONS` (the empty string; blank in CSV) for a promotion at every
    location, so it is not a foreign key; the importer checks the reference.
    """

    __tablename__ = "promotions"

    sku: str = Field(sa_column=_ref("items.sku", primary_key=True))
    location: str = Field(sa_column=Column(String, primary_key=True))
    start_date: dt.date = Field(sa_column=Column(Date, primary_key=True))
    end_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    discount_pct: float


class InventoryRecord(SQLModel, table=True):
    """Units on hand of a sku at a location, counted at the end of day `as_of`."""

    __tablename__ = "inventory"

    sku: str = Field(sa_column=_ref("items.sku", primary_key=True))
    location: str = Field(sa_column=_ref("locations.location", primary_key=True))
    as_of: dt.date = Field(sa_column=Column(Date, primary_key=True))
    on_hand: float


class PurchaseOrder(SQLModel, table=True):
    """An open purchase order or a transfer in transit: `units` arrive at `location` on
    `expected_date`. `order_id` is the natural key (derived when the CSV leaves it blank)."""

    __tablename__ = "purchase_orders"

    order_id: str = Field(sa_column=Column(String, primary_key=True))
    sku: str = Field(sa_column=_ref("items.sku"))
    location: str = Field(sa_column=_ref("locations.location"))
    units: float
    expected_date: dt.date = Field(sa_column=Column(Date, nullable=False))


# kind name -> table class, in dependency order (a table only references earlier ones).
INPUT_TABLES: dict[str, type[SQLModel]] = {
    "items": Item,
    "locations": Location,
    "lanes": Lane,
    "suppliers": Supplier,
    "supply": Supply,
    "sales": Sale,
    "weather": Weather,
    "promotions": Promotion,
    "inventory": InventoryRecord,
    "purchase_orders": PurchaseOrder,
}
