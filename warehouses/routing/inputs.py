"""STOPS / VEHICLES tables and depots for `plan_routes`: parsing and validation.

A stop at fault on its own (empty window, missing coordinates) is returned as unserved
with its reason; malformed tables raise `RouteInputError` with one problem per line,
naming the CSV line (header = line 1) and the column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from warehouses.routing.geo import format_clock, parse_clock_minutes
from warehouses.routing.problem import UNLIMITED

STOP_COLUMNS = (
    "stop",
    "latitude",
    "longitude",
    "demand_units",
    "window_start",
    "window_end",
    "service_minutes",
)


class RouteInputError(ValueError):
    """Invalid STOPS / VEHICLES input; `.problems` has one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Depot:
    """A site vehicles start from and return to (degrees)."""

    location: str
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not str(self.location).strip():
            raise ValueError("depot location must not be empty")
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise ValueError(
                f"depot {self.location}: latitude/longitude out of range "
                f"({self.latitude}, {self.longitude})"
            )


def _missing(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _whole_units(value: object) -> int:
    """A whole number >= 0; raises ValueError (or TypeError) otherwise."""
    number = float(value)  # type: ignore[arg-type]
    if np.isnan(number) or number < 0 or number != int(number):
        raise ValueError
    return int(number)


def read_stops(stops: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Validated stop rows (times in minutes) and stops unserved for their own fault."""
    absent = [c for c in ("stop", "latitude", "longitude", "demand_units") if c not in stops]
    if absent:
        raise RouteInputError([f"stops: missing column(s) {', '.join(absent)}"])
    problems: list[str] = []
    unserved: list[tuple[str, str]] = []
    rows: list[dict] = []
    seen: set[str] = set()
    for pos, (_, row) in enumerate(stops.iterrows()):
        where = f"stops line {pos + 2}"
        stop = "" if _missing(row["stop"]) else str(row["stop"]).strip()
        if not stop:
            problems.append(f"{where}, column stop: empty stop id")
            continue
        if stop in seen:
            problems.append(f"{where}, column stop: duplicate stop id {stop!r}")
            continue
        seen.add(stop)
        try:
            demand = _whole_units(row["demand_units"])
        except (TypeError, ValueError):
            problems.append(
                f"{where}, column demand_units: not a whole number >= 0: {row['demand_units']!r}"
            )
            continue
        times: dict[str, float | None] = {}
        bad = False
        for column in ("window_start", "window_end", "service_minutes"):
            value = row[column] if column in stops else None
            if _missing(value):
                times[column] = None
                continue
            try:
                times[column] = parse_clock_minutes(value)
            except ValueError as exc:
                problems.append(f"{where}, column {column}: {exc}")
                bad = True
        if bad:
            continue
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            ok = -90 <= lat <= 90 and -180 <= lon <= 180
        except (TypeError, ValueError):
            ok = False
        if not ok:
            unserved.append((stop, "missing or invalid latitude/longitude"))
            continue
        start = times["window_start"] if times["window_start"] is not None else 0.0
        end = times["window_end"] if times["window_end"] is not None else float(UNLIMITED // 60)
        if end < start:
            unserved.append(
                (
                    stop,
                    f"window ends ({format_clock(end)}) before it starts ({format_clock(start)})",
                )
            )
            continue
        rows.append(
            {
                "stop": stop,
                "latitude": lat,
                "longitude": lon,
                "demand_units": demand,
                "window_start": start,
                "window_end": end,
                "service_minutes": times["service_minutes"] or 0.0,
            }
        )
    if problems:
        raise RouteInputError(problems)
    return pd.DataFrame(rows, columns=list(STOP_COLUMNS)), unserved


def read_vehicles(vehicles: pd.DataFrame, depots: dict[str, Depot]) -> list[dict]:
    """Validated vehicles as dicts (times in minutes, `max_minutes` None when unbounded,
    `depot` = home depot id); raises RouteInputError listing every bad row."""
    absent = [
        c for c in ("vehicle", "capacity_units", "shift_start", "shift_end") if c not in vehicles
    ]
    if absent:
        raise RouteInputError([f"vehicles: missing column(s) {', '.join(absent)}"])
    if vehicles.empty:
        raise RouteInputError(["vehicles: no vehicles"])
    problems: list[str] = []
    fleet: list[dict] = []
    seen: set[str] = set()
    first_depot = next(iter(depots))
    for pos, (_, row) in enumerate(vehicles.iterrows()):
        where = f"vehicles line {pos + 2}"
        name = "" if _missing(row["vehicle"]) else str(row["vehicle"]).strip()
        if not name or name in seen:
            problems.append(f"{where}, column vehicle: empty or duplicate vehicle id {name!r}")
            continue
        seen.add(name)
        item: dict = {"vehicle": name}
        try:
            item["capacity"] = _whole_units(row["capacity_units"])
        except (TypeError, ValueError):
            problems.append(
                f"{where}, column capacity_units: not a whole number >= 0: "
                f"{row['capacity_units']!r}"
            )
        for column in ("shift_start", "shift_end"):
            try:
                item[column] = parse_clock_minutes(row[column])
            except ValueError as exc:
                problems.append(f"{where}, column {column}: {exc}")
        fixed = row["fixed_cost"] if "fixed_cost" in vehicles else 0.0
        try:
            item["fixed_cost"] = 0.0 if _missing(fixed) else float(fixed)
            if item["fixed_cost"] < 0 or np.isnan(item["fixed_cost"]):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"{where}, column fixed_cost: not a number >= 0: {fixed!r}")
        limit = row["max_route_minutes"] if "max_route_minutes" in vehicles else None
        try:
            item["max_minutes"] = None if _missing(limit) else float(limit)  # type: ignore[arg-type]
            if item["max_minutes"] is not None and not item["max_minutes"] >= 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"{where}, column max_route_minutes: not minutes >= 0: {limit!r}")
        home = row["depot"] if "depot" in vehicles else None
        item["depot"] = first_depot if _missing(home) else str(home).strip()
        if item["depot"] not in depots:
            problems.append(f"{where}, column depot: unknown depot {item['depot']!r}")
        shift = (item.get("shift_start"), item.get("shift_end"))
        if None not in shift and shift[1] < shift[0]:  # type: ignore[operator]
            problems.append(
                f"{where}: shift ends ({format_clock(item['shift_end'])}) before it "
                f"starts ({format_clock(item['shift_start'])})"
            )
        fleet.append(item)
    if problems:
        raise RouteInputError(problems)
    return fleet
