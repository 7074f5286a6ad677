"""Validation of the allocation input frames (A/N/L/K/LOC forms of issue 5).

Every problem found is collected (not just the first) and raised together as one
`AllocationInputError` (a ValueError) naming frame, 0-based row and column, so that a shell can
map them to `file:line:column` messages. Nothing is solved on invalid input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

STOCK_COLUMNS = ("sku", "location", "available")
NEEDS_COLUMNS = ("sku", "location", "need", "shortage_cost")
LANES_COLUMNS = ("origin", "destination", "cost_per_unit")
CAPACITY_COLUMNS = ("location", "free_capacity_units")
LOCATIONS_COLUMNS = ("location", "kind", "backup")
LOCATION_KINDS = ("regional", "front")


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input frame; `row` is the 0-based position in that frame."""

    frame: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.frame
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f" column {self.column}"
        return f"{where}: {self.message}"


class AllocationInputError(ValueError):
    """Invalid or inconsistent allocation input; `.problems` lists every problem found."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class AllocationInputs:
    """Validated inputs with clean dtypes.

    stock: sku, location, available (int64 units); needs: sku, location, need (int64 units),
    shortage_cost (cost per unit left unmet); lanes: origin, destination, cost_per_unit,
    capacity_units (float units, inf = unlimited); capacity: location, free_capacity_units
    (int64 units); locations: location, kind, parent, backup (None when not given).
    """

    stock: pd.DataFrame
    needs: pd.DataFrame
    lanes: pd.DataFrame
    capacity: pd.DataFrame
    locations: pd.DataFrame | None


class _Checker:
    """Collects problems while cleaning columns."""

    def __init__(self) -> None:
        self.problems: list[InputProblem] = []

    def add(self, frame: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(InputProblem(frame, row, column, message))

    def has_columns(self, frame: str, data: pd.DataFrame, required: Sequence[str]) -> bool:
        missing = [column for column in required if column not in data.columns]
        for column in missing:
            self.add(frame, None, column, f"missing required column {column!r}")
        return not missing

    def names(
        self, frame: str, data: pd.DataFrame, column: str, *, optional: bool = False
    ) -> pd.Series:
        """Identifier column as stripped strings; blank -> problem (or None when optional)."""
        raw = data[column].reset_index(drop=True)
        text = raw.astype("string").str.strip()
        blank = raw.isna() | (text == "")
        if not optional:
            for row in np.flatnonzero(blank.to_numpy()):
                self.add(frame, int(row), column, "missing value")
        return text.astype(object).where(~blank.to_numpy(), None)

    def numbers(
        self,
        frame: str,
        data: pd.DataFrame,
        column: str,
        *,
        whole: bool,
        blank_value: float | None = None,
    ) -> pd.Series:
        """Numeric column, >= 0 and finite (whole units when `whole`); blank -> blank_value."""
        raw = data[column].reset_index(drop=True)
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        blank = (raw.isna() | (raw.astype("string").str.strip() == "")).to_numpy(dtype=bool)
        numbers = values.to_numpy()
        with np.errstate(invalid="ignore"):
            not_number = ~blank & np.isnan(numbers)
            out_of_range = ~blank & ~np.isnan(numbers) & (~np.isfinite(numbers) | (numbers < 0))
            fractional = (
                ~blank & np.isfinite(numbers) & (numbers >= 0) & (numbers != np.round(numbers))
                if whole
                else np.zeros(len(numbers), dtype=bool)
            )
        if blank_value is None:
            for row in np.flatnonzero(blank):
                self.add(frame, int(row), column, "missing value")
        for row in np.flatnonzero(not_number | out_of_range | fractional):
            value = numbers[row]
            if not_number[row]:
                self.add(frame, int(row), column, f"not a number: {raw.iloc[row]!r}")
            elif out_of_range[row]:
                self.add(frame, int(row), column, f"must be a finite number >= 0, got {value:g}")
            else:
                self.add(frame, int(row), column, f"must be a whole number of units, got {value:g}")
        if blank_value is not None:
            values = values.where(~blank, blank_value)
        return values

    def unique(self, frame: str, keys: pd.DataFrame) -> None:
        duplicated = keys.duplicated(keep="first").to_numpy()
        for row in np.flatnonzero(duplicated):
            key = ", ".join(f"{c}={keys.iloc[row][c]}" for c in keys.columns)
            self.add(frame, int(row), None, f"duplicate row for {key}")


def validate_inputs(
    stock: pd.DataFrame,
    needs: pd.DataFrame,
    lanes: pd.DataFrame,
    capacity: pd.DataFrame | None = None,
    locations: pd.DataFrame | None = None,
    down: Sequence[str] = (),
) -> AllocationInputs:
    """Check the frames and return them cleaned; raise AllocationInputError listing problems.

    Needs must be whole units. Stock and capacities may be fractional and are rounded down:
    with integer shipments, `sum x <= a` holds exactly when `sum x <= floor(a)`, so this does
    not change the model. Lanes may name their capacity `capacity_units` (issue 5's L.csv) or
    `capacity_units_per_day` (the data-formats lanes.csv); blank = unlimited. Known sites are
    the rows of `locations` when given, otherwise every site named in stock, needs or capacity.
    """
    check = _Checker()
    frames = {"stock": stock, "needs": needs, "lanes": lanes}
    if capacity is not None:
        frames["capacity"] = capacity
    if locations is not None:
        frames["locations"] = locations
    for name, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    lanes = lanes.copy()
    if "capacity_units" not in lanes.columns and "capacity_units_per_day" in lanes.columns:
        lanes = lanes.rename(columns={"capacity_units_per_day": "capacity_units"})
    if "capacity_units" not in lanes.columns:
        lanes["capacity_units"] = np.nan
    complete = all(
        [
            check.has_columns("stock", stock, STOCK_COLUMNS),
            check.has_columns("needs", needs, NEEDS_COLUMNS),
            check.has_columns("lanes", lanes, LANES_COLUMNS),
            capacity is None or check.has_columns("capacity", capacity, CAPACITY_COLUMNS),
            locations is None or check.has_columns("locations", locations, LOCATIONS_COLUMNS),
        ]
    )
    if not complete:
        raise AllocationInputError(check.problems)

    clean_stock = pd.DataFrame(
        {
            "sku": check.names("stock", stock, "sku"),
            "location": check.names("stock", stock, "location"),
            "available": np.floor(check.numbers("stock", stock, "available", whole=False)),
        }
    )
    clean_needs = pd.DataFrame(
        {
            "sku": check.names("needs", needs, "sku"),
            "location": check.names("needs", needs, "location"),
            "need": check.numbers("needs", needs, "need", whole=True),
            "shortage_cost": check.numbers("needs", needs, "shortage_cost", whole=False),
        }
    )
    clean_lanes = pd.DataFrame(
        {
            "origin": check.names("lanes", lanes, "origin"),
            "destination": check.names("lanes", lanes, "destination"),
            "cost_per_unit": check.numbers("lanes", lanes, "cost_per_unit", whole=False),
            "capacity_units": np.floor(
                check.numbers("lanes", lanes, "capacity_units", whole=False, blank_value=math.inf)
            ),
        }
    )
    if capacity is None:
        capacity = pd.DataFrame(columns=list(CAPACITY_COLUMNS))
    clean_capacity = pd.DataFrame(
        {
            "location": check.names("capacity", capacity, "location"),
            "free_capacity_units": np.floor(
                check.numbers("capacity", capacity, "free_capacity_units", whole=False)
            ),
        }
    )
    clean_locations = None
    if locations is not None:
        clean_locations = pd.DataFrame(
            {
                "location": check.names("locations", locations, "location"),
                "kind": check.names("locations", locations, "kind"),
                "parent": (
                    check.names("locations", locations, "parent", optional=True)
                    if "parent" in locations.columns
                    else pd.Series([None] * len(locations))
                ),
                "backup": check.names("locations", locations, "backup", optional=True),
            }
        )
        for row, kind in enumerate(clean_locations["kind"]):
            if kind is not None and kind not in LOCATION_KINDS:
                check.add(
                    "locations",
                    row,
                    "kind",
                    f"kind must be one of {', '.join(LOCATION_KINDS)}, got {kind!r}",
                )
        check.unique("locations", clean_locations[["location"]])

    check.unique("stock", clean_stock[["sku", "location"]])
    check.unique("needs", clean_needs[["sku", "location"]])
    check.unique("lanes", clean_lanes[["origin", "destination"]])
    check.unique("capacity", clean_capacity[["location"]])
    for row, (origin, destination) in enumerate(
        zip(clean_lanes["origin"], clean_lanes["destination"], strict=True)
    ):
        if origin is not None and origin == destination:
            check.add("lanes", row, "destination", f"lane from {origin} to itself")

    _check_sites(
        check, clean_stock, clean_needs, clean_lanes, clean_capacity, clean_locations, down
    )
    if check.problems:
        raise AllocationInputError(check.problems)
    clean_stock["available"] = clean_stock["available"].astype(np.int64)
    clean_needs["need"] = clean_needs["need"].astype(np.int64)
    clean_capacity["free_capacity_units"] = clean_capacity["free_capacity_units"].astype(np.int64)
    return AllocationInputs(clean_stock, clean_needs, clean_lanes, clean_capacity, clean_locations)


def _check_sites(
    check: _Checker,
    stock: pd.DataFrame,
    needs: pd.DataFrame,
    lanes: pd.DataFrame,
    capacity: pd.DataFrame,
    locations: pd.DataFrame | None,
    down: Sequence[str],
) -> None:
    """Every site must be known; needs only at front sites; down sites need `locations`."""
    if locations is not None:
        known = set(locations["location"].dropna())
        source = "locations"
        kinds = dict(zip(locations["location"], locations["kind"], strict=True))
        for frame, data, columns in (
            ("stock", stock, ("location",)),
            ("needs", needs, ("location",)),
            ("lanes", lanes, ("origin", "destination")),
            ("capacity", capacity, ("location",)),
        ):
            for column in columns:
                sites = data[column]
                for row in np.flatnonzero((sites.notna() & ~sites.isin(known)).to_numpy()):
                    check.add(
                        frame,
                        int(row),
                        column,
                        f"unknown site {sites.iloc[row]!r} (not in {source})",
                    )
        regional = {site for site, kind in kinds.items() if kind == "regional"}
        for row in np.flatnonzero(needs["location"].isin(regional).to_numpy()):
            site = needs["location"].iloc[row]
            check.add(
                "needs",
                int(row),
                "location",
                f"need at regional site {site!r}; needs are only at front sites",
            )
        for column in ("backup", "parent"):
            for position, site in enumerate(locations[column]):
                if site is not None and site not in known:
                    check.add("locations", position, column, f"unknown site {site!r}")
    else:
        known = (set(stock["location"]) | set(needs["location"]) | set(capacity["location"])) - {
            None
        }
        for column in ("origin", "destination"):
            sites = lanes[column]
            for row in np.flatnonzero((sites.notna() & ~sites.isin(known)).to_numpy()):
                site = sites.iloc[row]
                check.add(
                    "lanes",
                    int(row),
                    column,
                    f"lane to unknown site {site!r} (not in stock, needs or capacity; "
                    "pass locations to declare every site)",
                )
    if down and locations is None:
        check.add("down", None, None, "sites marked down need locations (their backup column)")
    elif down:
        for site in down:
            if site not in known:
                check.add("down", None, None, f"unknown site {site!r} marked down")
