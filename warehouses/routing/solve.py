"""Pick a routing engine and solve a `RoutingProblem` with it."""

from __future__ import annotations

from warehouses.routing.problem import RoutingProblem, RoutingSolution

ENGINES = ("ortools", "pyvrp")


def solve_problem(
    problem: RoutingProblem,
    *,
    engine: str = "ortools",
    time_limit_seconds: float = 10.0,
    seed: int = 0,
) -> RoutingSolution:
    """Solve with the named engine ("ortools" or "pyvrp") within `time_limit_seconds`."""
    if time_limit_seconds <= 0:
        raise ValueError("time_limit_seconds must be > 0")
    if engine == "ortools":
        from warehouses.routing.engine_ortools import solve_with_ortools

        return solve_with_ortools(problem, time_limit_seconds)
    if engine == "pyvrp":
        from warehouses.routing.engine_pyvrp import solve_with_pyvrp

        return solve_with_pyvrp(problem, time_limit_seconds, seed=seed)
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
