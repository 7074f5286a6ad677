"""VRPLIB benchmark instances and solutions (CVRP and VRPTW), read with `vrplib`.

Rounding conventions (see ../shared/data/vrp/README.md):
- "round": Euclidean distance rounded to the nearest integer (CVRPLIB, X instances);
- "dimacs": Euclidean distance truncated to one decimal, travel time = distance
  (DIMACS 2021 VRPTW challenge convention, as in PyVRP's benchmarks); solved in tenths;
- "none": exact Euclidean distances (solved in thousandths, cost reported unrounded);
- "auto": "dimacs" when the instance has time windows, else "round".

Solution numbering as in VRPLIB `.sol` files: the depot is 0 and is not listed, client k
is node k+1 of the `.vrp` file (for the usual single depot listed first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from warehouses.routing.geo import euclidean_matrix
from warehouses.routing.problem import UNLIMITED, RoutingProblem, RoutingSolution, VehicleSpec

ROUNDINGS = ("auto", "none", "round", "dimacs")
_SCALE = {"none": 1000, "round": 1, "dimacs": 10}


@dataclass(frozen=True, eq=False)
class BenchmarkInstance:
    """A VRPLIB instance as a `RoutingProblem` plus what is needed to report on it.

    `scale`: problem units per instance distance unit (10 for dimacs: tenths);
    `exact`: the instance's distance matrix under its rounding convention (floats), used to
    recompute costs independently of the solver's integer matrix.
    """

    name: str
    problem: RoutingProblem
    rounding: str
    scale: int
    exact: np.ndarray
    has_time_windows: bool


def apply_rounding(euclid: np.ndarray, rounding: str) -> np.ndarray:
    """Distances under a rounding convention (instance units, floats)."""
    if rounding == "round":
        return np.floor(euclid + 0.5)  # nearest integer, halves up (CVRPLIB nint)
    if rounding == "dimacs":
        return np.floor(euclid * 10) / 10
    if rounding == "none":
        return euclid
    raise ValueError(f"unknown rounding {rounding!r}; choose one of {', '.join(ROUNDINGS)}")


def read_benchmark_instance(
    path: str | Path, rounding: str = "auto", num_vehicles: int | None = None
) -> BenchmarkInstance:
    """Read a `.vrp` file into a `BenchmarkInstance`.

    Fleet: the file's VEHICLES if given, else `num_vehicles`, else one vehicle per client
    (CVRP: any number of routes). Objective: distance only (no fixed vehicle cost).
    """
    if rounding not in ROUNDINGS:
        raise ValueError(f"unknown rounding {rounding!r}; choose one of {', '.join(ROUNDINGS)}")
    try:
        data = vrplib.read_instance(str(path), compute_edge_weights=False)
    except FileNotFoundError:
        raise
    except Exception as exc:  # vrplib raises assorted errors on malformed files
        raise ValueError(f"{path}: not a readable VRPLIB instance ({exc})") from exc
    try:
        return _to_instance(path, data, rounding, num_vehicles)
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: malformed VRPLIB instance ({exc})") from exc


def _to_instance(
    path: str | Path, data: dict, rounding: str, num_vehicles: int | None
) -> BenchmarkInstance:
    has_tw = "time_window" in data
    if rounding == "auto":
        rounding = "dimacs" if has_tw else "round"
    if "node_coord" in data:
        coords = np.asarray(data["node_coord"], dtype=float)
        if coords.ndim != 2 or coords.shape[1] != 2 or len(coords) != int(data["dimension"]):
            raise ValueError(f"NODE_COORD_SECTION must give x y for {data['dimension']} nodes")
        exact = apply_rounding(euclidean_matrix(coords), rounding)
        scale = _SCALE[rounding]
    elif "edge_weight" in data:
        exact = np.asarray(data["edge_weight"], dtype=float)
        integral = np.allclose(exact, np.round(exact))
        scale = 1 if integral else 1000
    else:
        raise ValueError(f"{path}: neither NODE_COORD_SECTION nor EDGE_WEIGHT_SECTION")
    n = exact.shape[0]
    matrix = np.rint(exact * scale).astype(np.int64)
    demand = np.asarray(data.get("demand", np.zeros(n)), dtype=np.int64).reshape(n)
    depots = tuple(int(d) for d in np.atleast_1d(data.get("depot", [0])))
    service_raw = data.get("service_time", 0)
    service = np.broadcast_to(np.asarray(service_raw, dtype=float), (n,)).copy()
    service[list(depots)] = 0
    if has_tw:
        tw = np.asarray(data["time_window"], dtype=float)
        w_start = np.rint(tw[:, 0] * scale).astype(np.int64)
        w_end = np.rint(tw[:, 1] * scale).astype(np.int64)
    else:
        w_start = np.zeros(n, dtype=np.int64)
        w_end = np.full(n, UNLIMITED, dtype=np.int64)
    count = int(data.get("vehicles", 0)) or num_vehicles or (n - len(depots))
    capacity = int(data.get("capacity", UNLIMITED))
    fleet = tuple(
        VehicleSpec(
            capacity=capacity,
            start_depot=depots[0],
            end_depot=depots[0],
            shift_start=int(w_start[depots[0]]),
            shift_end=int(w_end[depots[0]]) if has_tw else UNLIMITED,
            name=str(k + 1),
        )
        for k in range(count)
    )
    problem = RoutingProblem(
        distance=matrix,
        duration=matrix.copy(),
        demand=demand,
        service=np.rint(service * scale).astype(np.int64),
        window_start=w_start,
        window_end=w_end,
        depots=depots,
        vehicles=fleet,
    )
    return BenchmarkInstance(
        str(data.get("name", Path(path).stem)).strip(), problem, rounding, scale, exact, has_tw
    )


def routes_cost(instance: BenchmarkInstance, routes: list[list[int]]) -> float:
    """Total distance of routes given as node indices, recomputed from `exact` (instance
    units, under the instance's rounding; rounded to the convention's precision)."""
    depot = instance.problem.depots[0]
    total = 0.0
    for route in routes:
        if not route:
            continue
        path = [depot, *route, depot]
        total += float(sum(instance.exact[a, b] for a, b in zip(path, path[1:], strict=False)))
    digits = {"round": 0, "dimacs": 1}.get(instance.rounding, 6)
    return round(total, digits)


def to_vrplib_numbering(instance: BenchmarkInstance, routes: list[list[int]]) -> list[list[int]]:
    """Node indices -> `.sol` client numbers (depot 0, client k = node k+1 of the file).
    Nodes are 0-based here, so with the depot at node 0 the number equals the index."""
    depot = instance.problem.depots[0]
    return [[node if node > depot else node + 1 for node in route] for route in routes if route]


def from_vrplib_numbering(instance: BenchmarkInstance, routes: list[list[int]]) -> list[list[int]]:
    """`.sol` client numbers -> node indices (inverse of `to_vrplib_numbering`)."""
    depot = instance.problem.depots[0]
    return [[k if k > depot else k - 1 for k in route] for route in routes]


def write_solution(path: str | Path, instance: BenchmarkInstance, routes: list[list[int]]) -> float:
    """Write `Route #k: ...` lines and `Cost X` (VRPLIB `.sol` form); return the cost."""
    cost = routes_cost(instance, routes)
    shown = f"{int(cost)}" if float(cost).is_integer() else format(cost, ".10g")
    lines = [
        f"Route #{k}: {' '.join(map(str, route))}"
        for k, route in enumerate(to_vrplib_numbering(instance, routes), start=1)
    ]
    Path(path).write_text("\n".join([*lines, f"Cost {shown}"]) + "\n")
    return cost


def read_solution_routes(
    path: str | Path, instance: BenchmarkInstance
) -> tuple[list[list[int]], float]:
    """Routes (node indices) and the stated cost of a `.sol` file."""
    sol = vrplib.read_solution(str(path))
    cost = float(sol.get("cost", math.nan))
    return from_vrplib_numbering(instance, [list(map(int, r)) for r in sol["routes"]]), cost


def solve_vrplib(
    path: str | Path,
    *,
    time_limit_seconds: float = 10.0,
    rounding: str = "auto",
    engine: str = "auto",
    seed: int = 0,
) -> tuple[BenchmarkInstance, RoutingSolution]:
    """Read a `.vrp` instance and solve it with `engine` within `time_limit_seconds`."""
    from warehouses.routing.solve import solve_problem

    instance = read_benchmark_instance(path, rounding)
    solution = solve_problem(
        instance.problem, engine=engine, time_limit_seconds=time_limit_seconds, seed=seed
    )
    return instance, solution
