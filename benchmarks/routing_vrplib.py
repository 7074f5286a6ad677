"""VRPLIB benchmark: our engines on ../shared/data/vrp (6 CVRPLIB X + 6 Solomon VRPTW).

Every route set is checked here independently of the solver code (raw `vrplib` data,
float arithmetic): each client exactly once, capacity, time windows (service may start
no later than the window end, waiting allowed, back at the depot before it closes), and
the cost is recomputed under the instance's rounding convention (X: round, Solomon:
dimacs). BKS from the `.sol` files (X) and from the README table (Solomon).

    .venv/bin/python benchmarks/routing_vrplib.py [--limits 10,30] [--engines auto,ortools]
        [--only X-n101-k25,R101]

Writes benchmarks/results/routing_vrplib.csv and prints one table.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import vrplib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouses.routing.vrplib_io import apply_rounding, solve_vrplib  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "vrp"


def best_known() -> dict[str, float]:
    """BKS per instance: `Cost` of each X `.sol`, the README table for Solomon."""
    bks = {
        p.stem: float(vrplib.read_solution(str(p))["cost"])
        for p in sorted((DATA / "cvrp_x").glob("*.sol"))
    }
    for line in (DATA / "README.md").read_text().splitlines():
        m = re.match(r"\|\s*(R|C|RC)(\d+)\s*\|\s*([\d.]+)\s*\|", line)
        if m:
            bks[m.group(1) + m.group(2)] = float(m.group(3))
    return bks


def verify(path: Path, routes: list[list[int]]) -> tuple[float, list[str]]:
    """Cost and rule violations of `routes` (0-based node indices of the .vrp file)."""
    raw = vrplib.read_instance(str(path), compute_edge_weights=False)
    coords = np.asarray(raw["node_coord"], dtype=float)
    has_tw = "time_window" in raw
    euclid = np.sqrt(((coords[:, None] - coords[None, :]) ** 2).sum(axis=2))
    dist = apply_rounding(euclid, "dimacs" if has_tw else "round")
    n = len(coords)
    depot = int(np.atleast_1d(raw["depot"])[0])
    demand = np.asarray(raw["demand"], dtype=float)
    service = np.broadcast_to(np.asarray(raw.get("service_time", 0), dtype=float), (n,)).copy()
    service[depot] = 0
    problems: list[str] = []
    seen = sorted(c for r in routes for c in r)
    if seen != [i for i in range(n) if i != depot]:
        problems.append("clients not visited exactly once")
    if "vehicles" in raw and sum(1 for r in routes if r) > int(raw["vehicles"]):
        problems.append("too many vehicles")
    cost = 0.0
    for r in routes:
        if demand[r].sum() > raw["capacity"]:
            problems.append(f"route {r[:3]}... overloaded")
        t, prev = 0.0, depot
        for c in [*r, depot]:
            cost += dist[prev, c]
            if has_tw:
                t = max(
                    t + (service[prev] if prev != depot else 0) + dist[prev, c],
                    raw["time_window"][c][0],
                )
                if t > raw["time_window"][c][1] + 1e-9:
                    problems.append(f"client {c} served late")
            prev = c
    return round(cost, 1 if has_tw else 0), problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", default="10,30", help="seconds per instance, comma-separated")
    parser.add_argument("--engines", default="auto", help="auto|ortools|pyvrp, comma-separated")
    parser.add_argument("--only", default="", help="instance names, comma-separated")
    args = parser.parse_args()
    bks = best_known()
    files = sorted((DATA / "cvrp_x").glob("*.vrp")) + sorted((DATA / "vrptw").glob("*.vrp"))
    if args.only:
        files = [f for f in files if f.stem in args.only.split(",")]
    rows = []
    for limit in [float(x) for x in args.limits.split(",")]:
        for engine in args.engines.split(","):
            for path in files:
                began = time.perf_counter()
                cpu0 = time.process_time()
                inst, sol = solve_vrplib(path, time_limit_seconds=limit, engine=engine)
                wall = time.perf_counter() - began
                cpu = time.process_time() - cpu0
                routes = [list(r) for r in sol.routes if r]
                cost, problems = verify(path, routes) if routes else (math.nan, ["no solution"])
                rows.append(
                    {
                        "instance": inst.name,
                        "n": inst.problem.size - 1,
                        "bks": bks[path.stem],
                        "engine": sol.engine,
                        "limit_s": limit,
                        "cost": cost,
                        "gap_pct": round(100 * (cost / bks[path.stem] - 1), 2),
                        "vehicles": len(routes),
                        "seconds": round(wall, 1),
                        "cpu_s": round(cpu, 1),
                        "check": "ok" if not problems else "; ".join(problems[:2]),
                    }
                )
                print(rows[-1], file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "routing_vrplib.csv", index=False)
    print(table.to_string(index=False))
    summary = table.groupby(["engine", "limit_s"]).agg(
        mean_gap_pct=("gap_pct", "mean"),
        feasible=("check", lambda c: int((c == "ok").sum())),
        instances=("check", "size"),
    )
    print(summary.round(2).to_string())
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
