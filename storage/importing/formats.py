"""The CSV format of every input kind: columns, types, bounds, natural keys, references.

One `KindFormat` per kind, in dependency order (a kind only references earlier kinds). The
human-readable version of this table is `docs/data-formats.md`; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["str", "float", "int", "date", "enum", "weekdays"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class ColumnFormat:
    """One CSV column.

    Attributes:
        name: header name (also the database column).
        type: `str`, `float`, `int`, `date` (ISO `YYYY-MM-DD`), `enum` (one of `choices`) or
            `weekdays` (comma-separated tokens of `WEEKDAYS`).
        required: the header must have this column and every row a value.
        nullable: an optional column whose blank cell means "not known / not limited"
            (stored NULL); an optional non-nullable column takes `default` when blank/absent.
        default: value for a blank cell of an optional, non-nullable column.
        min_value, max_value: inclusive bounds of a number; `exclusive_min` makes the lower
            bound strict (e.g. units > 0).
        references: kind whose natural key this column must name (`items`, `locations`,
            `suppliers`), checked against the database plus the same import batch.
    """

    name: str
    type: ColumnType = "str"
    required: bool = True
    nullable: bool = False
    default: object = None
    min_value: float | None = None
    max_value: float | None = None
    exclusive_min: bool = False
    choices: tuple[str, ...] = ()
    references: str | None = None

    def __post_init__(self) -> None:
        if self.type == "enum" and not self.choices:
            raise ValueError(f"enum column {self.name} needs choices")
        if self.required and self.nullable:
            raise ValueError(f"column {self.name} cannot be both required and nullable")


@dataclass(frozen=True)
class KindFormat:
    """One input kind: its file `<kind>.csv`, columns and natural key (the table's primary key)."""

    kind: str
    columns: tuple[ColumnFormat, ...]
    natural_key: tuple[str, ...]

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        missing = [k for k in self.natural_key if k not in names]
        if missing:
            raise ValueError(f"{self.kind}: natural key columns {missing} are not columns")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def file_name(self) -> str:
        return f"{self.kind}.csv"

    def column(self, name: str) -> ColumnFormat:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _nonneg(name: str, **kw: object) -> ColumnFormat:
    return ColumnFormat(name, "float", min_value=0.0, **kw)  # type: ignore[arg-type]


FORMATS: dict[str, KindFormat] = {
    f.kind: f
    for f in (
        KindFormat(
            "items",
            (
                ColumnFormat("sku"),
                ColumnFormat("name"),
                ColumnFormat("category"),
                _nonneg("unit_cost"),
                _nonneg("unit_price"),
                ColumnFormat("pack_size", "int", required=False, default=1, min_value=1),
                ColumnFormat("moq", "int", required=False, default=0, min_value=0),
                ColumnFormat("shelf_life_days", "int", required=False, nullable=True, min_value=1),
            ),
            ("sku",),
        ),
        KindFormat(
            "locations",
            (
                ColumnFormat("location"),
                ColumnFormat("name"),
                ColumnFormat("kind", "enum", choices=("regional", "front")),
                ColumnFormat("parent", required=False, nullable=True, references="locations"),
                ColumnFormat("backup", required=False, nullable=True, references="locations"),
                ColumnFormat("latitude", "float", min_value=-90.0, max_value=90.0),
                ColumnFormat("longitude", "float", min_value=-180.0, max_value=180.0),
                _nonneg("capacity_units", required=False, nullable=True),
            ),
            ("location",),
        ),
        KindFormat(
            "lanes",
            (
                ColumnFormat("origin", references="locations"),
                ColumnFormat("destination", references="locations"),
                _nonneg("transit_days"),
                _nonneg("cost_per_unit"),
                _nonneg("capacity_units_per_day", required=False, nullable=True),
            ),
            ("origin", "destination"),
        ),
        KindFormat(
            "suppliers",
            (ColumnFormat("supplier"), ColumnFormat("name")),
            ("supplier",),
        ),
        KindFormat(
            "supply",
            (
                ColumnFormat("supplier", references="suppliers"),
                ColumnFormat("sku", references="items"),
                ColumnFormat("location", references="locations"),
                _nonneg("lead_time_days"),
                _nonneg("lead_time_std_days", required=False, default=0.0),
                ColumnFormat("order_days", "weekdays", required=False, nullable=True),
            ),
            ("supplier", "sku", "location"),
        ),
        KindFormat(
            "sales",
            (
                ColumnFormat("sku", references="items"),
                ColumnFormat("location", references="locations"),
                ColumnFormat("date", "date"),
                ColumnFormat("units", "float"),  # negative = net returns, stored as given
            ),
            ("sku", "location", "date"),
        ),
        KindFormat(
            "weather",
            (
                ColumnFormat("location", references="locations"),
                ColumnFormat("date", "date"),
                ColumnFormat(
                    "temperature_c",
                    "float",
                    required=False,
                    nullable=True,
                    min_value=-90.0,
                    max_value=60.0,
                ),
                _nonneg("precipitation_mm", required=False, nullable=True),
                ColumnFormat("kind", "enum", choices=("observed", "forecast")),
            ),
            ("location", "date", "kind"),
        ),
        KindFormat(
            "promotions",
            (
                ColumnFormat("sku", references="items"),
                ColumnFormat("location", required=False, nullable=True, references="locations"),
                ColumnFormat("start_date", "date"),
                ColumnFormat("end_date", "date"),
                ColumnFormat("discount_pct", "float", min_value=0.0, max_value=100.0),
            ),
            ("sku", "location", "start_date"),
        ),
        KindFormat(
            "inventory",
            (
                ColumnFormat("sku", references="items"),
                ColumnFormat("location", references="locations"),
                _nonneg("on_hand"),
                ColumnFormat("as_of", "date"),
            ),
            ("sku", "location", "as_of"),
        ),
        KindFormat(
            "purchase_orders",
            (
                ColumnFormat("order_id", required=False, nullable=True),
                ColumnFormat("sku", references="items"),
                ColumnFormat("location", references="locations"),
                ColumnFormat("units", "float", min_value=0.0, exclusive_min=True),
                ColumnFormat("expected_date", "date"),
            ),
            ("order_id",),
        ),
    )
}

KINDS: tuple[str, ...] = tuple(FORMATS)
