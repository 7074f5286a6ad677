"""Solve a `RoutingProblem` with PyVRP's hybrid genetic search / iterated local search
(Wouda, Lan and Kool 2024, "PyVRP: a high-performance VRP solver package",
INFORMS J. Computing; https://pyvrp.org).

Mapping: every node becomes a PyVRP location with our matrices as its single routing
profile; depots and clients keep their windows and service durations; identical vehicles
are grouped into vehicle types (capacity, home depot, shift as tw_early/tw_late, maximum
route duration as shift_duration, fixed cost); optional clients get `prize` = drop
penalty and `required=False`, so PyVRP minimises distance + fixed costs + lost prizes,
the same objective as the OR-Tools model.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from warehouses.routing.problem import (
    RoutingProblem,
    RoutingSolution,
    check_solution,
    routes_distance,
)


def _vehicle_key(problem: RoutingProblem, v: int) -> tuple[int, ...]:
    s = problem.vehicles[v]
    return (
        s.capacity,
        s.start_depot,
        s.end_depot,
        s.shift_start,
        s.shift_end,
        s.max_duration,
        s.fixed_cost,
    )


def solve_with_pyvrp(
    problem: RoutingProblem, time_limit_seconds: float, *, seed: int = 0
) -> RoutingSolution:
    """Best solution PyVRP finds within `time_limit_seconds` (wall clock, one core)."""
    began = time.perf_counter()
    depot_nodes = list(problem.depots)
    client_nodes = problem.clients
    order = depot_nodes + client_nodes  # PyVRP numbers depots first, then clients
    depot_pos = {node: k for k, node in enumerate(depot_nodes)}
    locations = [pyvrp.Location(x=0.0, y=0.0, name=str(node)) for node in order]
    depots = [
        pyvrp.Depot(
            location=k,
            tw_early=int(problem.window_start[node]),
            tw_late=int(problem.window_end[node]),
        )
        for k, node in enumerate(depot_nodes)
    ]
    optional = problem.drop_penalty is not None
    clients = [
        pyvrp.Client(
            location=len(depot_nodes) + k,
            delivery=[int(problem.demand[node])],
            service_duration=int(problem.service[node]),
            tw_early=int(problem.window_start[node]),
            tw_late=int(problem.window_end[node]),
            prize=int(problem.drop_penalty[node]) if optional else 0,  # type: ignore[index]
            required=not optional,
        )
        for k, node in enumerate(client_nodes)
    ]
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for v in range(len(problem.vehicles)):
        groups[_vehicle_key(problem, v)].append(v)
    type_members = list(groups.values())
    vehicle_types = []
    for members in type_members:
        s = problem.vehicles[members[0]]
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(members),
                capacity=[int(s.capacity)],
                start_depot=depot_pos[s.start_depot],
                end_depot=depot_pos[s.end_depot],
                fixed_cost=int(s.fixed_cost),
                tw_early=int(s.shift_start),
                tw_late=int(s.shift_end),
                shift_duration=int(s.max_duration),
            )
        )
    grid = np.ix_(order, order)
    data = pyvrp.ProblemData(
        locations,
        clients,
        depots,
        vehicle_types,
        [np.ascontiguousarray(problem.distance[grid], dtype=np.int64)],  # type: ignore[list-item]
        [np.ascontiguousarray(problem.duration[grid], dtype=np.int64)],  # type: ignore[list-item]
    )
    remaining = max(0.05, time_limit_seconds - (time.perf_counter() - began))
    result = pyvrp.solve(
        data, stop=MaxRuntime(remaining), seed=seed, display=False, collect_stats=False
    )
    seconds = time.perf_counter() - began
    best = result.best
    routes: list[tuple[int, ...]] = [() for _ in problem.vehicles]
    if not best.is_feasible():
        return RoutingSolution(
            tuple(routes), tuple(client_nodes), 0, "pyvrp", "no_solution", seconds
        )
    free = [list(members) for members in type_members]
    for route in best.routes():
        vehicle = free[route.vehicle_type()].pop(0)
        routes[vehicle] = tuple(
            client_nodes[step.idx]
            for step in route.schedule()
            if step.type == pyvrp.ActivityType.CLIENT
        )
    served = {c for r in routes for c in r}
    dropped = tuple(c for c in client_nodes if c not in served)
    status = "feasible"
    if (dropped and not optional) or check_solution(problem, tuple(routes), dropped):
        status = "infeasible"
    return RoutingSolution(
        tuple(routes), dropped, routes_distance(problem, tuple(routes)), "pyvrp", status, seconds
    )
