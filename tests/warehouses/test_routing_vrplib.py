"""VRPLIB instances and `.sol` files: numbering, rounding, cost recomputation, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import vrplib
from typer.testing import CliRunner

from supplycast.cli import app
from warehouses.routing.problem import check_solution
from warehouses.routing.vrplib_io import (
    apply_rounding,
    read_benchmark_instance,
    read_solution_routes,
    routes_cost,
    write_solution,
)

# depot (node 1) at the origin; clients 1..4 on the axes; capacity 2 forces 2 routes
TINY_CVRP = """NAME : tiny
TYPE : CVRP
DIMENSION : 5
CAPACITY : 2
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 0 3
3 0 7
4 4 0
5 9 0
DEMAND_SECTION
1 0
2 1
3 1
4 1
5 1
DEPOT_SECTION
1
-1
EOF
"""

# client 1 (node 2) is near but opens late; client 2 (node 3) is far and closes early
TINY_VRPTW = """NAME : tinytw
TYPE : CVRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 1 0
3 5 0
DEMAND_SECTION
1 0
2 1
3 1
TIME_WINDOW_SECTION
1 0 100
2 20 30
3 0 6
SERVICE_TIME_SECTION
1 0
2 2
3 2
DEPOT_SECTION
1
-1
EOF
"""


def test_rounding_conventions() -> None:
    d = np.array([2.25, 2.5, 2.99, 3.49])
    assert apply_rounding(d, "round").tolist() == [2, 3, 3, 3]
    assert apply_rounding(d, "dimacs").tolist() == pytest.approx([2.2, 2.5, 2.9, 3.4])
    assert apply_rounding(d, "none").tolist() == d.tolist()


@pytest.mark.parametrize("engine", ["ortools", "pyvrp", "auto"])
def test_tiny_cvrp_solved_to_its_optimum_and_numbered_as_vrplib(
    tmp_path: Path, engine: str
) -> None:
    path = tmp_path / "tiny.vrp"
    path.write_text(TINY_CVRP)
    out = tmp_path / "tiny.sol"
    result = CliRunner().invoke(
        app,
        [
            "route",
            "--instance",
            str(path),
            "--time-limit",
            "0.5",
            "--out",
            str(out),
            "--engine",
            engine,
        ],
    )
    assert result.exit_code == 0, result.output
    sol = vrplib.read_solution(str(out))
    # optimum: (0,3),(0,7) on one route = 14; (4,0),(9,0) on the other = 18
    assert sol["cost"] == 32
    assert sorted(sorted(r) for r in sol["routes"]) == [[1, 2], [3, 4]]
    assert out.read_text().splitlines()[-1] == "Cost 32"


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_time_windows_order_and_dimacs_cost(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "tinytw.vrp"
    path.write_text(TINY_VRPTW)
    out = tmp_path / "tinytw.sol"
    result = CliRunner().invoke(
        app,
        [
            "route",
            "--instance",
            str(path),
            "--time-limit",
            "0.5",
            "--out",
            str(out),
            "--engine",
            engine,
        ],
    )
    assert result.exit_code == 0, result.output
    sol = vrplib.read_solution(str(out))
    assert sol["routes"] == [[2, 1]]  # far client first (closes at 6), then the near one
    assert sol["cost"] == pytest.approx(10.0)


def test_best_known_sol_round_trip_recomputes_its_cost(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    vrp = shared_data_dir / "vrp" / "cvrp_x" / "X-n101-k25.vrp"
    inst = read_benchmark_instance(vrp)
    assert inst.rounding == "round"
    routes, stated = read_solution_routes(vrp.with_suffix(".sol"), inst)
    assert stated == 27591
    assert routes_cost(inst, routes) == stated
    padded = [tuple(r) for r in routes] + [()] * (len(inst.problem.vehicles) - len(routes))
    assert check_solution(inst.problem, tuple(padded)) == []
    out = tmp_path / "copy.sol"
    assert write_solution(out, inst, routes) == stated
    again = vrplib.read_solution(str(out))
    original = vrplib.read_solution(str(vrp.with_suffix(".sol")))
    assert again["routes"] == original["routes"] and again["cost"] == original["cost"]


def test_checker_flags_overload_and_late_service(shared_data_dir: Path) -> None:
    inst = read_benchmark_instance(shared_data_dir / "vrp" / "vrptw" / "C101.vrp")
    assert inst.rounding == "dimacs" and inst.scale == 10
    clients = inst.problem.clients
    one_route = (tuple(clients),) + ((),) * (len(inst.problem.vehicles) - 1)
    issues = check_solution(inst.problem, one_route)
    assert any("load" in i for i in issues) and any("window end" in i for i in issues)


def test_cli_reports_bad_instance_and_bad_rounding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME : x\nTYPE : CVRP\nDIMENSION : 3\nNODE_COORD_SECTION\n1 0\n")
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["route", "--instance", str(bad), "--out", str(tmp_path / "o.sol"), "--time-limit", "1"],
    )
    assert result.exit_code == 1 and "error:" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(
        app,
        ["route", "--instance", str(bad), "--out", str(tmp_path / "o.sol"), "--rounding", "floor"],
    )
    assert result.exit_code == 1 and "--rounding must be one of" in result.output


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.vrp"
    path.write_text(TINY_CVRP)
    result = CliRunner().invoke(
        app,
        ["route", "--instance", str(path), "--out", str(tmp_path / "o.sol"), "--engine", "gurobi"],
    )
    assert result.exit_code == 1 and "unknown engine 'gurobi'" in result.output


def test_auto_falls_back_to_ortools_when_pyvrp_finds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouses.routing import engine_pyvrp
    from warehouses.routing.problem import RoutingSolution
    from warehouses.routing.solve import solve_problem

    path = tmp_path / "tiny.vrp"
    path.write_text(TINY_CVRP)
    inst = read_benchmark_instance(path)

    def nothing(problem, time_limit_seconds, *, seed=0):  # noqa: ANN001, ANN202
        return RoutingSolution(
            tuple(() for _ in problem.vehicles),
            tuple(problem.clients),
            0,
            "pyvrp",
            "no_solution",
            0.0,
        )

    monkeypatch.setattr(engine_pyvrp, "solve_with_pyvrp", nothing)
    solution = solve_problem(inst.problem, engine="auto", time_limit_seconds=0.3)
    assert solution.engine == "ortools" and solution.status == "feasible"
    assert routes_cost(inst, [list(r) for r in solution.routes]) == 32
