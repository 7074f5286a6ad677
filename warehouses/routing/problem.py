"""The engine-neutral routing problem: integer matrices, windows, demands and a fleet.

Every engine (OR-Tools, PyVRP) solves a `RoutingProblem` and returns a `RoutingSolution`.
All quantities are integers in *problem units* chosen by whoever builds the problem
(seconds and metres for real sites, scaled distances for benchmark instances):
the distance matrix is what is minimised, the duration matrix is travel time, and
windows / service times / shifts are in the same unit as durations.

Node indices run 0..n-1; some of them are depots (listed in `depots`), the others are
clients (stops). Service at a client starts within its window; arriving early means
waiting (the classic VRPTW convention, Solomon 1987).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UNLIMITED = 2**40  # "no limit" for shifts and route durations, safely inside int64 sums


@dataclass(frozen=True)
class VehicleSpec:
    """One vehicle: capacity (units), start/end depot node, shift and costs (problem units).

    `max_duration` bounds end time minus start time of the route; `fixed_cost` is added to
    the objective when the vehicle is used (same unit as the distance matrix).
    """

    capacity: int
    start_depot: int
    end_depot: int
    shift_start: int = 0
    shift_end: int = UNLIMITED
    max_duration: int = UNLIMITED
    fixed_cost: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"vehicle {self.name!r}: capacity must be >= 0, got {self.capacity}")
        if self.shift_end < self.shift_start:
            raise ValueError(
                f"vehicle {self.name!r}: shift ends ({self.shift_end}) before it starts "
                f"({self.shift_start})"
            )
        if self.max_duration < 0 or self.fixed_cost < 0:
            raise ValueError(f"vehicle {self.name!r}: max_duration and fixed_cost must be >= 0")


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A capacitated VRP with time windows, service times, shifts and optional clients.

    distance, duration: (n, n) non-negative integer matrices.
    demand, service, window_start, window_end: length-n integer vectors (depots: demand 0).
    depots: node indices that are depots; every other node is a client.
    vehicles: the fleet (each vehicle may start and end at its own depot).
    drop_penalty: None when every client must be served; otherwise a length-n vector, the
    cost of leaving each client unserved (same unit as distance).
    """

    distance: np.ndarray
    duration: np.ndarray
    demand: np.ndarray
    service: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    depots: tuple[int, ...]
    vehicles: tuple[VehicleSpec, ...]
    drop_penalty: np.ndarray | None = None
    names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n = self.size
        if self.distance.shape != (n, n) or self.duration.shape != (n, n):
            raise ValueError(f"distance and duration must be {n}x{n} matrices")
        for label in ("demand", "service", "window_start", "window_end"):
            if getattr(self, label).shape != (n,):
                raise ValueError(f"{label} must have length {n}")
        if (self.distance < 0).any() or (self.duration < 0).any():
            raise ValueError("distance and duration must be non-negative")
        if not self.depots or any(d < 0 or d >= n for d in self.depots):
            raise ValueError("depots must be valid node indices (at least one)")
        if not self.vehicles:
            raise ValueError("the fleet is empty")
        for v in self.vehicles:
            if v.start_depot not in self.depots or v.end_depot not in self.depots:
                raise ValueError(f"vehicle {v.name!r} starts or ends at a node that is no depot")
        bad = np.flatnonzero(self.window_end < self.window_start)
        if bad.size:
            raise ValueError(f"windows end before they start at nodes {bad.tolist()}")
        if self.drop_penalty is not None and self.drop_penalty.shape != (n,):
            raise ValueError(f"drop_penalty must have length {n}")

    @property
    def size(self) -> int:
        """Number of nodes (depots and clients)."""
        return int(self.demand.shape[0])

    @property
    def clients(self) -> list[int]:
        """Node indices of the clients, ascending."""
        depots = set(self.depots)
        return [i for i in range(self.size) if i not in depots]


@dataclass(frozen=True)
class RoutingSolution:
    """Engine output: one client sequence per vehicle (empty when unused) and dropped clients.

    `status` is "feasible" when every route respects capacity, windows and shifts (checked
    by `evaluate_routes`, not taken on the engine's word), otherwise "infeasible" or
    "no_solution".
    """

    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    distance: int
    engine: str
    status: str
    seconds: float


@dataclass(frozen=True)
class RouteSchedule:
    """Times of one route: departure from the start depot, service start at each client,
    and arrival back at the end depot (problem units)."""

    departure: int
    service_starts: tuple[int, ...]
    arrivals: tuple[int, ...]
    return_time: int
    load: int
    distance: int
    problems: tuple[str, ...]


def schedule_route(problem: RoutingProblem, vehicle: int, route: tuple[int, ...]) -> RouteSchedule:
    """Earliest-start schedule of `route` for `vehicle`, with every violated rule listed.

    The vehicle leaves its depot at the latest time that does not delay the first service
    (never before its shift starts), serves each client at max(arrival, window start) and
    returns to its end depot. Problems listed: overload, a service starting after the
    window end, a return after the shift end, a route longer than `max_duration`.
    """
    spec = problem.vehicles[vehicle]
    dur, dist = problem.duration, problem.distance
    problems: list[str] = []
    load = int(sum(int(problem.demand[c]) for c in route))
    if load > spec.capacity:
        problems.append(f"load {load} above capacity {spec.capacity}")
    depart = spec.shift_start
    depart = max(depart, int(problem.window_start[spec.start_depot]))
    if route:
        first = route[0]
        depart = max(depart, int(problem.window_start[first]) - int(dur[spec.start_depot, first]))
    time = depart
    prev = spec.start_depot
    distance = 0
    starts: list[int] = []
    arrivals: list[int] = []
    for client in route:
        arrive = time + int(dur[prev, client])
        start = max(arrive, int(problem.window_start[client]))
        if start > int(problem.window_end[client]):
            problems.append(
                f"node {client}: service starts at {start}, after its window end "
                f"{int(problem.window_end[client])}"
            )
        arrivals.append(arrive)
        starts.append(start)
        distance += int(dist[prev, client])
        time = start + int(problem.service[client])
        prev = client
    back = time + int(dur[prev, spec.end_depot])
    distance += int(dist[prev, spec.end_depot])
    if route:
        if back > min(spec.shift_end, int(problem.window_end[spec.end_depot])):
            problems.append(f"returns at {back}, after shift end {spec.shift_end}")
        if back - depart > spec.max_duration:
            problems.append(f"route lasts {back - depart}, above {spec.max_duration}")
    return RouteSchedule(
        depart, tuple(starts), tuple(arrivals), back, load, distance, tuple(problems)
    )


def check_solution(
    problem: RoutingProblem, routes: tuple[tuple[int, ...], ...], dropped: tuple[int, ...] = ()
) -> list[str]:
    """Every rule broken by `routes` (empty list = feasible): each client exactly once
    (served or dropped; dropping only allowed when `drop_penalty` is set), capacities,
    windows, shifts and durations."""
    issues: list[str] = []
    if len(routes) != len(problem.vehicles):
        issues.append(f"{len(routes)} routes for {len(problem.vehicles)} vehicles")
    seen: dict[int, int] = {}
    for route in routes:
        for c in route:
            seen[c] = seen.get(c, 0) + 1
    for c in dropped:
        seen[c] = seen.get(c, 0) + 1
    depots = set(problem.depots)
    for c in problem.clients:
        if seen.get(c, 0) != 1:
            issues.append(f"client {c} visited {seen.get(c, 0)} times")
    for c in seen:
        if c in depots or c < 0 or c >= problem.size:
            issues.append(f"node {c} is not a client")
    if dropped and problem.drop_penalty is None:
        issues.append(f"clients {list(dropped)} dropped but every client is required")
    for v, route in enumerate(routes[: len(problem.vehicles)]):
        for p in schedule_route(problem, v, tuple(route)).problems:
            issues.append(f"vehicle {v}: {p}")
    return issues


def routes_distance(problem: RoutingProblem, routes: tuple[tuple[int, ...], ...]) -> int:
    """Total distance (problem units) of the routes, depot legs included."""
    return sum(schedule_route(problem, v, tuple(r)).distance for v, r in enumerate(routes) if r)
