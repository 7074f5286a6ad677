"""Route step: each shipping site's trucks deliver the plan date's shipments to its destinations.

For every origin with shipments (normally a regional warehouse; a front site when it sends
surplus to a neighbour), one routing problem (STOPS / VEHICLES form for
`warehouses.routing.plan_routes`):
- a stop per destination with `demand_units` = total units shipped there; a destination whose
  units exceed one truck is split into stops `LOC#1`, `LOC#2`, ... of at most one truck each
  (stored back under `LOC`);
- time window = the fleet's shift, `service_minutes` from the fleet parameters;
- `vehicles_per_depot` identical trucks named `<origin>-T1`, `<origin>-T2`, ...
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from supplycast.plan_steps.inputs import FleetParameters, PlanningInputs

SPLIT_MARK = "#"


def build_route_problems(
    inputs: PlanningInputs, shipments: pd.DataFrame, fleet: FleetParameters
) -> list[tuple[str, float, float, pd.DataFrame, pd.DataFrame]]:
    """One `(depot, latitude, longitude, stops, vehicles)` per origin with shipments."""
    coordinates = inputs.locations.set_index("location")[["latitude", "longitude"]]
    problems = []
    totals = shipments.groupby(["origin", "destination"], as_index=False)["units"].sum()
    for origin, group in totals.groupby("origin", sort=True):
        stops: list[dict[str, Any]] = []
        for destination, units in zip(group["destination"], group["units"], strict=True):
            total = math.ceil(float(units))  # whole units on a truck
            parts = max(1, math.ceil(total / fleet.capacity_units))
            remaining = float(total)
            for part in range(1, parts + 1):
                load = min(remaining, fleet.capacity_units)
                remaining -= load
                stops.append(
                    {
                        "stop": destination if parts == 1 else f"{destination}{SPLIT_MARK}{part}",
                        "latitude": float(coordinates.at[destination, "latitude"]),
                        "longitude": float(coordinates.at[destination, "longitude"]),
                        "demand_units": load,
                        "window_start": fleet.shift_start,
                        "window_end": fleet.shift_end,
                        "service_minutes": fleet.service_minutes,
                    }
                )
        vehicles = pd.DataFrame(
            {
                "vehicle": [f"{origin}-T{i}" for i in range(1, fleet.vehicles_per_depot + 1)],
                "capacity_units": fleet.capacity_units,
                "shift_start": fleet.shift_start,
                "shift_end": fleet.shift_end,
                "fixed_cost": fleet.fixed_cost,
            }
        )
        problems.append(
            (
                str(origin),
                float(coordinates.at[origin, "latitude"]),
                float(coordinates.at[origin, "longitude"]),
                pd.DataFrame(stops),
                vehicles,
            )
        )
    return problems


def _clock(value: Any) -> str | None:
    """Minutes after midnight (number), a time, or an `HH:MM` string -> `HH:MM`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value[:5]
    if hasattr(value, "hour") and hasattr(value, "minute"):
        return f"{value.hour:02d}:{value.minute:02d}"
    minutes = int(round(float(value)))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def base_stop(stop: str) -> str:
    """`LOC#2` -> `LOC` (a split stop back to its location)."""
    return str(stop).split(SPLIT_MARK, 1)[0]


def route_leg_rows(legs: pd.DataFrame, depot: str, route_date: Any) -> pd.DataFrame:
    """RoutePlan.legs -> `plan_route_legs` rows."""
    rows = legs.copy()
    rows["stop"] = rows["stop"].map(base_stop)
    rows["arrival"] = rows["arrival"].map(_clock)
    rows["departure"] = rows["departure"].map(_clock)
    rows["depot"] = depot
    rows["route_date"] = route_date
    columns = [
        "route_date",
        "depot",
        "vehicle",
        "sequence",
        "stop",
        "arrival",
        "departure",
        "load_after",
        "distance_km",
    ]
    for column in columns:
        if column not in rows.columns:
            rows[column] = None
    return rows[columns].reset_index(drop=True)


def unserved_rows(unserved: pd.DataFrame, depot: str) -> pd.DataFrame:
    """RoutePlan.unserved -> `plan_unserved` rows."""
    rows = unserved.copy()
    rows["stop"] = rows["stop"].map(base_stop)
    rows["depot"] = depot
    if "reason" not in rows.columns:
        rows["reason"] = ""
    return rows[["depot", "stop", "reason"]].reset_index(drop=True)
