"""Delivery routes for real sites: STOPS and VEHICLES frames in, a `RoutePlan` out.

Units: latitude/longitude in degrees; demand and capacity in units; times as "HH:MM"
(minutes after midnight, hours may exceed 23) or plain minutes; distances in km; travel
time = distance / `speed_kmh`. Internally the problem is solved in metres and seconds.
Objective: total distance plus each used vehicle's `fixed_cost` (converted to km with
`cost_per_km`) plus a penalty per stop left out, set above the most that serving one stop
can cost (twice the longest arc plus the largest fixed cost, plus 1 km), so stops are
left out only when they cannot be fitted; each is reported in `RoutePlan.unserved`
with its reason.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from warehouses.routing.geo import format_clock, haversine_matrix_km
from warehouses.routing.inputs import (
    Depot,
    RouteInputError,
    read_stops,
    read_vehicles,
)
from warehouses.routing.problem import (
    UNLIMITED,
    RoutingProblem,
    RoutingSolution,
    VehicleSpec,
    schedule_route,
)
from warehouses.routing.solve import solve_problem

LEG_COLUMNS = ("vehicle", "sequence", "stop", "arrival", "departure", "load_after", "distance_km")
UNSERVED_COLUMNS = ("stop", "reason")


@dataclass(frozen=True)
class RoutePlan:
    """Planned routes.

    legs: one row per vehicle movement, `vehicle, sequence, stop, arrival, departure,
    load_after, distance_km`. Sequence 0 is the departure from the depot (load_after = load
    taken on board), then one row per stop (arrival = start of service, inside the stop's
    window; departure = arrival + service time), and a last row back at the depot. Times are
    "HH:MM"; distance_km is the leg driven to reach that row's stop.
    unserved: `stop, reason` for every stop not on a route.
    sites: `site, kind, latitude, longitude` for every depot and stop (for maps).
    """

    legs: pd.DataFrame
    unserved: pd.DataFrame
    sites: pd.DataFrame
    engine: str = ""
    status: str = ""
    seconds: float = 0.0
    total_distance_km: float = 0.0
    vehicles_used: int = 0
    warnings: tuple[str, ...] = field(default=())

    def to_geojson(self) -> dict:
        """GeoJSON FeatureCollection (RFC 7946, coordinates [longitude, latitude]): one
        LineString per used vehicle (depot -> stops -> depot) and one Point per site with
        its role (depot / served / unserved with reason)."""
        where = {
            row.site: (float(row.longitude), float(row.latitude)) for row in self.sites.itertuples()
        }
        features: list[dict] = []
        for vehicle, legs in self.legs.groupby("vehicle", sort=False):
            legs = legs.sort_values("sequence")
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [list(where[s]) for s in legs["stop"]],
                    },
                    "properties": {
                        "kind": "route",
                        "vehicle": str(vehicle),
                        "stops": int(len(legs) - 2),
                        "distance_km": round(float(legs["distance_km"].sum()), 3),
                    },
                }
            )
        served = {row.stop: row for row in self.legs.itertuples() if 0 < row.sequence}
        reasons = dict(zip(self.unserved["stop"], self.unserved["reason"], strict=True))
        for row in self.sites.itertuples():
            props: dict = {"kind": row.kind, "site": row.site}
            if row.kind == "stop":
                if row.site in reasons:
                    props.update(kind="unserved", reason=reasons[row.site])
                elif row.site in served:
                    leg = served[row.site]
                    props.update(
                        vehicle=str(leg.vehicle), sequence=int(leg.sequence), arrival=leg.arrival
                    )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": list(where[row.site])},
                    "properties": props,
                }
            )
        return {"type": "FeatureCollection", "features": features}


def plan_routes(
    stops: pd.DataFrame,
    vehicles: pd.DataFrame,
    depot: Depot,
    *,
    time_limit_seconds: float = 10.0,
    speed_kmh: float = 30.0,
    depots: Sequence[Depot] = (),
    distance_matrix_km: pd.DataFrame | None = None,
    cost_per_km: float = 1.0,
    engine: str = "auto",
    seed: int = 0,
) -> RoutePlan:
    """Route `vehicles` from `depot` to `stops` (STOPS.csv / VEHICLES.csv form, issue 6).

    Optional VEHICLES columns: `max_route_minutes` (route duration bound) and `depot`
    (the location of one of `depots` where that vehicle starts and ends; blank = `depot`).
    `distance_matrix_km`: road distances with stop and depot ids as index and columns,
    used instead of haversine. `fixed_cost` and `cost_per_km` share a currency, so a
    vehicle is used only when it saves more than fixed_cost / cost_per_km km.
    `engine`: "auto" (PyVRP, OR-Tools as fallback; see `solve.solve_problem`), "ortools"
    or "pyvrp". Stops at fault on their own (window ending before it starts, demand above every
    capacity, missing coordinates, unreachable in time) are reported unserved; malformed
    tables raise `RouteInputError`.
    """
    began = time.perf_counter()  # the time limit covers the whole call, not only the search
    if speed_kmh <= 0 or time_limit_seconds <= 0 or cost_per_km <= 0:
        raise ValueError("speed_kmh, time_limit_seconds and cost_per_km must be > 0")
    all_depots = _depot_table(depot, depots)
    stop_rows, unserved = read_stops(stops)
    fleet = read_vehicles(vehicles, all_depots)
    last_shift = max(v["shift_end"] for v in fleet)
    late = stop_rows["window_start"] > last_shift
    for stop in stop_rows.loc[late, "stop"]:
        unserved.append(
            (stop, f"window starts after every vehicle's shift ends ({format_clock(last_shift)})")
        )
    stop_rows = stop_rows.loc[~late].reset_index(drop=True)
    sites = _sites(all_depots, stop_rows, stops)
    if stop_rows.empty:
        return RoutePlan(_empty_legs(), _unserved_frame(unserved), sites, engine, "feasible")

    ids = list(all_depots) + list(stop_rows["stop"])
    lat = np.array([d.latitude for d in all_depots.values()] + list(stop_rows["latitude"]))
    lon = np.array([d.longitude for d in all_depots.values()] + list(stop_rows["longitude"]))
    km = _distance_km(ids, lat, lon, distance_matrix_km)
    metres = np.rint(km * 1000).astype(np.int64)
    seconds = np.rint(km / speed_kmh * 3600).astype(np.int64)

    n_depots = len(all_depots)
    depot_index = {loc: i for i, loc in enumerate(all_depots)}
    n = len(ids)
    demand = np.zeros(n, dtype=np.int64)
    demand[n_depots:] = stop_rows["demand_units"].to_numpy(dtype=np.int64)
    service = np.zeros(n, dtype=np.int64)
    service[n_depots:] = np.rint(stop_rows["service_minutes"].to_numpy(float) * 60)
    first_shift = min(v["shift_start"] for v in fleet)
    w_start = np.full(n, int(first_shift * 60), dtype=np.int64)
    w_end = np.full(n, int(last_shift * 60), dtype=np.int64)
    w_start[n_depots:] = np.rint(stop_rows["window_start"].to_numpy(float) * 60)
    # an open or late window closes when the last shift ends: nobody serves later
    w_end[n_depots:] = np.rint(np.minimum(stop_rows["window_end"].to_numpy(float), last_shift) * 60)

    specs = tuple(
        VehicleSpec(
            capacity=int(v["capacity"]),
            start_depot=depot_index[v["depot"]],
            end_depot=depot_index[v["depot"]],
            shift_start=int(round(v["shift_start"] * 60)),
            shift_end=int(round(v["shift_end"] * 60)),
            max_duration=UNLIMITED if v["max_minutes"] is None else int(v["max_minutes"] * 60),
            fixed_cost=int(round(v["fixed_cost"] / cost_per_km * 1000)),
            name=v["vehicle"],
        )
        for v in fleet
    )
    # Leaving a stop out costs more than serving it ever could (insertion detour <= twice
    # the longest arc, plus opening a vehicle), so stops are dropped only when they cannot
    # be fitted; kept moderate so that PyVRP's load/time penalties still dominate it.
    biggest_fixed = max(v.fixed_cost for v in specs)
    penalty = np.full(n, 2 * int(metres.max()) + biggest_fixed + 1000, dtype=np.int64)
    penalty[:n_depots] = 0
    problem = RoutingProblem(
        metres,
        seconds,
        demand,
        service,
        w_start,
        w_end,
        tuple(range(n_depots)),
        specs,
        penalty,
        tuple(ids),
    )

    # Stops no vehicle could serve even alone are reported up front, not given to the solver.
    reasons = _alone_unservable(problem)
    if reasons:
        keep = [i for i in range(n) if i not in reasons]
        for i, reason in sorted(reasons.items()):
            unserved.append((ids[i], reason))
        problem = _subproblem(problem, keep)
        ids = [ids[i] for i in keep]
    if len(ids) == n_depots:
        return RoutePlan(_empty_legs(), _unserved_frame(unserved), sites, engine, "feasible")

    left = max(0.1, 0.95 * time_limit_seconds - (time.perf_counter() - began))
    solution = solve_problem(problem, engine=engine, time_limit_seconds=left, seed=seed)
    if solution.status == "no_solution":
        raise RuntimeError(f"{engine}: no solution found within {time_limit_seconds} s")
    for node in solution.dropped:
        unserved.append(
            (
                ids[node],
                "left out: not enough vehicle capacity or shift time to "
                "serve it together with the other stops",
            )
        )
    legs = _legs(problem, solution, ids)
    return RoutePlan(
        legs=legs,
        unserved=_unserved_frame(unserved),
        sites=sites,
        engine=solution.engine,
        status=solution.status,
        seconds=solution.seconds,
        total_distance_km=round(float(legs["distance_km"].sum()), 3),
        vehicles_used=sum(1 for r in solution.routes if r),
    )


def _depot_table(depot: Depot, depots: Sequence[Depot]) -> dict[str, Depot]:
    table = {depot.location: depot}
    for d in depots:
        if d.location in table and table[d.location] != d:
            raise RouteInputError([f"depot {d.location}: given twice with different coordinates"])
        table[d.location] = d
    return table


def _sites(depots: dict[str, Depot], stop_rows: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {"site": d.location, "kind": "depot", "latitude": d.latitude, "longitude": d.longitude}
        for d in depots.values()
    ]
    rows += [
        {"site": r.stop, "kind": "stop", "latitude": r.latitude, "longitude": r.longitude}
        for r in stop_rows.itertuples()
    ]
    return pd.DataFrame(rows, columns=["site", "kind", "latitude", "longitude"])


def _distance_km(
    ids: list[str], lat: np.ndarray, lon: np.ndarray, matrix: pd.DataFrame | None
) -> np.ndarray:
    if matrix is None:
        return haversine_matrix_km(lat, lon)
    missing = [i for i in ids if i not in matrix.index or i not in matrix.columns]
    if missing:
        raise RouteInputError([f"distance matrix: no row/column for {', '.join(missing[:10])}"])
    km = matrix.loc[ids, ids].to_numpy(dtype=float)
    if np.isnan(km).any() or (km < 0).any():
        raise RouteInputError(["distance matrix: missing or negative distances"])
    return km


def _alone_unservable(problem: RoutingProblem) -> dict[int, str]:
    """Stops that no single vehicle can serve even as its only stop, with the reason."""
    reasons: dict[int, str] = {}
    biggest = max(v.capacity for v in problem.vehicles)
    kinds: dict[tuple, int] = {}  # identical vehicles need checking once
    for v, spec in enumerate(problem.vehicles):
        kinds.setdefault(dataclasses.astuple(spec)[:-1], v)
    distinct = list(kinds.values())
    for node in problem.clients:
        if problem.demand[node] > biggest:
            reasons[node] = (
                f"demand {int(problem.demand[node])} units above every vehicle's "
                f"capacity (largest {biggest})"
            )
            continue
        if not any(
            not schedule_route(problem, v, (node,)).problems
            for v in distinct
            if problem.vehicles[v].capacity >= problem.demand[node]
        ):
            reasons[node] = (
                "cannot be reached within its window and back within any vehicle's shift"
            )
    return reasons


def _subproblem(problem: RoutingProblem, keep: list[int]) -> RoutingProblem:
    index = {old: new for new, old in enumerate(keep)}
    grid = np.ix_(keep, keep)
    return RoutingProblem(
        problem.distance[grid],
        problem.duration[grid],
        problem.demand[keep],
        problem.service[keep],
        problem.window_start[keep],
        problem.window_end[keep],
        tuple(index[d] for d in problem.depots),
        tuple(
            VehicleSpec(
                v.capacity,
                index[v.start_depot],
                index[v.end_depot],
                v.shift_start,
                v.shift_end,
                v.max_duration,
                v.fixed_cost,
                v.name,
            )
            for v in problem.vehicles
        ),
        None if problem.drop_penalty is None else problem.drop_penalty[keep],
        tuple(problem.names[i] for i in keep) if problem.names else (),
    )


def _legs(problem: RoutingProblem, solution: RoutingSolution, ids: list[str]) -> pd.DataFrame:
    rows: list[dict] = []
    for v, route in enumerate(solution.routes):
        if not route:
            continue
        spec = problem.vehicles[v]
        plan = schedule_route(problem, v, route)
        load = plan.load
        rows.append(
            {
                "vehicle": spec.name,
                "sequence": 0,
                "stop": ids[spec.start_depot],
                "arrival": None,
                "departure": format_clock(plan.departure / 60),
                "load_after": load,
                "distance_km": 0.0,
            }
        )
        prev = spec.start_depot
        for k, node in enumerate(route, start=1):
            load -= int(problem.demand[node])
            start = plan.service_starts[k - 1]
            rows.append(
                {
                    "vehicle": spec.name,
                    "sequence": k,
                    "stop": ids[node],
                    "arrival": format_clock(start / 60),
                    "departure": format_clock((start + int(problem.service[node])) / 60),
                    "load_after": load,
                    "distance_km": round(int(problem.distance[prev, node]) / 1000, 3),
                }
            )
            prev = node
        rows.append(
            {
                "vehicle": spec.name,
                "sequence": len(route) + 1,
                "stop": ids[spec.end_depot],
                "arrival": format_clock(plan.return_time / 60),
                "departure": None,
                "load_after": 0,
                "distance_km": round(int(problem.distance[prev, spec.end_depot]) / 1000, 3),
            }
        )
    return pd.DataFrame(rows, columns=list(LEG_COLUMNS)) if rows else _empty_legs()


def _empty_legs() -> pd.DataFrame:
    return pd.DataFrame(columns=list(LEG_COLUMNS))


def _unserved_frame(unserved: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(unserved, columns=list(UNSERVED_COLUMNS))
