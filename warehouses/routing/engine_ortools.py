"""Solve a `RoutingProblem` with the OR-Tools routing library (constraint-programming
routing solver with local search; https://developers.google.com/optimization/routing).

Model: arc cost = distance matrix; a "load" dimension (capacity per vehicle); a "time"
dimension whose transit from i to j is service(i) + duration(i, j), with waiting slack,
client windows as cumul ranges, shift start/end on the vehicle start/end cumuls and the
maximum route duration as a span bound; fixed cost per used vehicle; optional clients as
disjunctions with their drop penalty (VRP with optional visits, OR-Tools guide
"Penalties and dropping visits").
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from warehouses.routing.problem import (
    UNLIMITED,
    RoutingProblem,
    RoutingSolution,
    check_solution,
    routes_distance,
)

FIRST_SOLUTIONS = {
    "automatic": routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC,
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "parallel_cheapest_insertion": (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    ),
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
}
METAHEURISTICS = {
    "guided_local_search": routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH,
    "simulated_annealing": routing_enums_pb2.LocalSearchMetaheuristic.SIMULATED_ANNEALING,
    "tabu_search": routing_enums_pb2.LocalSearchMetaheuristic.TABU_SEARCH,
    "greedy_descent": routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT,
}


@dataclass(frozen=True)
class OrToolsOptions:
    """Search settings; the defaults are the best of the variants measured on five VRPLIB
    instances at 10 s (docs/routing.md): parallel cheapest insertion, guided local search
    with lambda 0.2, relocate-neighbours and cross-exchange operators on, required clients
    soft. `first_solution` and `metaheuristic` are keys of FIRST_SOLUTIONS /
    METAHEURISTICS; `gls_lambda` is OR-Tools' guided_local_search_lambda_coefficient;
    `required_drop_penalty`: when every client is required, clients are still modelled
    as droppable at this penalty (per unit of largest arc) so that the search can pass
    through infeasible-looking states; a final solution with drops counts as infeasible
    (`soft_required=False`: required clients are hard constraints instead).
    `neighbors_ratio` / `min_neighbors`: local search operators only consider this
    fraction (at least this many) of each node's nearest neighbours (granular
    neighbourhoods, Toth and Vigo 2003); `extra_operators`: names of
    `local_search_operators` fields (e.g. "use_relocate_neighbors") switched on."""

    first_solution: str = "parallel_cheapest_insertion"
    metaheuristic: str = "guided_local_search"
    gls_lambda: float = 0.2
    required_drop_penalty: int = 100
    soft_required: bool = True
    neighbors_ratio: float = 1.0
    min_neighbors: int = 1
    extra_operators: tuple[str, ...] = ("use_relocate_neighbors", "use_cross_exchange")
    log_search: bool = False

    def __post_init__(self) -> None:
        if self.first_solution not in FIRST_SOLUTIONS:
            raise ValueError(f"unknown first_solution {self.first_solution!r}")
        if self.metaheuristic not in METAHEURISTICS:
            raise ValueError(f"unknown metaheuristic {self.metaheuristic!r}")
        if not 0 < self.gls_lambda <= 10 or self.required_drop_penalty < 1:
            raise ValueError("gls_lambda must be in (0, 10] and required_drop_penalty >= 1")
        if not 0 < self.neighbors_ratio <= 1 or self.min_neighbors < 1:
            raise ValueError("neighbors_ratio must be in (0, 1] and min_neighbors >= 1")
        known = pywrapcp.DefaultRoutingSearchParameters().local_search_operators
        unknown = [name for name in self.extra_operators if not hasattr(known, name)]
        if unknown:
            raise ValueError(f"unknown local search operator(s): {', '.join(unknown)}")


def solve_with_ortools(
    problem: RoutingProblem,
    time_limit_seconds: float,
    options: OrToolsOptions | None = None,
) -> RoutingSolution:
    """Best solution OR-Tools finds within `time_limit_seconds` (wall clock)."""
    opts = options or OrToolsOptions()
    began = time.perf_counter()
    vehicles = problem.vehicles
    manager = pywrapcp.RoutingIndexManager(
        problem.size,
        len(vehicles),
        [v.start_depot for v in vehicles],
        [v.end_depot for v in vehicles],
    )
    routing = pywrapcp.RoutingModel(manager)

    distance_cb = routing.RegisterTransitMatrix(problem.distance.astype(int).tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(distance_cb)

    demand_cb = routing.RegisterUnaryTransitVector(problem.demand.astype(int).tolist())
    routing.AddDimensionWithVehicleCapacity(
        demand_cb, 0, [int(v.capacity) for v in vehicles], True, "load"
    )

    if _has_time_limits(problem):
        _add_time_dimension(problem, manager, routing)
    for v, spec in enumerate(vehicles):
        if spec.fixed_cost:
            routing.SetFixedCostOfVehicle(int(spec.fixed_cost), v)

    penalties: list[int] | None = None  # None: required clients are hard constraints
    if problem.drop_penalty is not None:
        penalties = [int(p) for p in problem.drop_penalty]
    elif opts.soft_required:
        big = int(problem.distance.max()) * opts.required_drop_penalty + 1
        penalties = [big] * problem.size
    if penalties is not None:
        for node in problem.clients:
            routing.AddDisjunction([manager.NodeToIndex(node)], penalties[node])

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = FIRST_SOLUTIONS[opts.first_solution]
    params.local_search_metaheuristic = METAHEURISTICS[opts.metaheuristic]
    params.guided_local_search_lambda_coefficient = opts.gls_lambda
    params.ls_operator_neighbors_ratio = opts.neighbors_ratio
    params.ls_operator_min_neighbors = opts.min_neighbors
    for name in opts.extra_operators:
        setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_TRUE)
    remaining = max(0.05, time_limit_seconds - (time.perf_counter() - began))
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    params.log_search = opts.log_search

    assignment = routing.SolveWithParameters(params)
    seconds = time.perf_counter() - began
    if assignment is None:
        return RoutingSolution(
            tuple(() for _ in vehicles),
            tuple(problem.clients),
            0,
            "ortools",
            "no_solution",
            seconds,
        )
    routes: list[tuple[int, ...]] = []
    for v in range(len(vehicles)):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        routes.append(tuple(route))
    served = {c for r in routes for c in r}
    dropped = tuple(c for c in problem.clients if c not in served)
    status = "feasible"
    if (dropped and problem.drop_penalty is None) or check_solution(
        problem, tuple(routes), dropped if problem.drop_penalty is not None else ()
    ):
        status = "infeasible"
    return RoutingSolution(
        tuple(routes), dropped, routes_distance(problem, tuple(routes)), "ortools", status, seconds
    )


def _has_time_limits(problem: RoutingProblem) -> bool:
    """True when any window, shift or route-duration limit is finite."""
    return bool(
        (problem.window_end < UNLIMITED).any()
        or (problem.window_start > 0).any()
        or any(
            v.shift_end < UNLIMITED or v.max_duration < UNLIMITED or v.shift_start > 0
            for v in problem.vehicles
        )
    )


def _add_time_dimension(
    problem: RoutingProblem, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    """Time dimension: transit(i, j) = service(i) + duration(i, j), waiting allowed."""
    transit = problem.duration + problem.service[:, None]
    ends = [int(x) for x in problem.window_end if x < UNLIMITED]
    ends += [v.shift_end for v in problem.vehicles if v.shift_end < UNLIMITED]
    starts = [int(problem.window_start.max())] + [v.shift_start for v in problem.vehicles]
    horizon = max(ends + starts) + int(transit.max()) + 1
    if not ends:  # no closing time anywhere: leave room for the longest possible route
        horizon += int(transit.max()) * problem.size
    time_cb = routing.RegisterTransitMatrix(transit.astype(int).tolist())
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in problem.clients:
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(
            int(problem.window_start[node]), min(int(problem.window_end[node]), horizon)
        )
    for v, spec in enumerate(problem.vehicles):
        start, end = routing.Start(v), routing.End(v)
        latest = min(spec.shift_end, horizon)
        time_dim.CumulVar(start).SetRange(
            min(latest, max(spec.shift_start, int(problem.window_start[spec.start_depot]))),
            min(latest, int(problem.window_end[spec.start_depot])),
        )
        time_dim.CumulVar(end).SetRange(
            min(latest, max(spec.shift_start, int(problem.window_start[spec.end_depot]))),
            min(latest, int(problem.window_end[spec.end_depot])),
        )
        if spec.max_duration < horizon:
            time_dim.SetSpanUpperBoundForVehicle(int(spec.max_duration), v)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(start))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(end))
