"""Allocation at scale: time curve, optimality and cost saved against the greedy rule (issue 5).

Network: 4 regional warehouses, each with 50 front sites of its own (200 fronts); lanes from
each regional to its fronts and, both ways, between neighbouring fronts (a ring per region).
Per sku: each front needs it with probability 0.3 (1-30 units), holds a surplus with
probability 0.1 (1-15 units); each regional holds 50-110 % of its region's need. Shortage costs
2-20 per unit (sku value x site factor), lane costs 0.5-2.5 (regional) and 0.2-0.8 (between
fronts). Lane and site capacities are set below the expected flow so that they bind.
Synthetic and seeded; no files are read.

Run: .venv/bin/python benchmarks/allocation_scale.py [--skus 100,500,1000,2000,5000]
     [--min-shipment-units M] [--fairness-max-gap G] [--mip-solver highs|sat]
(the greedy rule knows neither option: with them its cost is only a reference.)
Prints one table; writes benchmarks/results/allocation_scale.csv.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from warehouses.allocation import AllocationOptions, allocate_stock
from warehouses.allocation.greedy import allocate_greedy

REGIONALS = 4
FRONTS_PER_REGIONAL = 50


def make_instance(n_skus: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Seeded synthetic instance (see module docstring): stock, needs, lanes, capacity."""
    rng = np.random.default_rng(seed)
    regionals = [f"R{r}" for r in range(REGIONALS)]
    fronts = [[f"F{r}_{k:02d}" for k in range(FRONTS_PER_REGIONAL)] for r in range(REGIONALS)]
    all_fronts = [f for region in fronts for f in region]
    skus = [f"S{s:05d}" for s in range(n_skus)]
    n_f = len(all_fronts)

    needs_mask = rng.random((n_skus, n_f)) < 0.3
    need = np.where(needs_mask, rng.integers(1, 31, (n_skus, n_f)), 0)
    surplus_mask = (~needs_mask) & (rng.random((n_skus, n_f)) < 0.1)
    surplus = np.where(surplus_mask, rng.integers(1, 16, (n_skus, n_f)), 0)
    value = rng.uniform(2.0, 20.0, n_skus)
    site_factor = rng.uniform(0.8, 1.2, n_f)
    penalty = np.round(value[:, None] * site_factor[None, :], 2)

    region_need = need.reshape(n_skus, REGIONALS, FRONTS_PER_REGIONAL).sum(axis=2)
    regional_stock = np.floor(region_need * rng.uniform(0.5, 1.1, (n_skus, REGIONALS)))

    s_idx, f_idx = np.nonzero(need)
    needs = pd.DataFrame(
        {
            "sku": np.array(skus)[s_idx],
            "location": np.array(all_fronts)[f_idx],
            "need": need[s_idx, f_idx],
            "shortage_cost": penalty[s_idx, f_idx],
        }
    )
    s_idx, f_idx = np.nonzero(surplus)
    front_stock = pd.DataFrame(
        {
            "sku": np.array(skus)[s_idx],
            "location": np.array(all_fronts)[f_idx],
            "available": surplus[s_idx, f_idx],
        }
    )
    s_idx, r_idx = np.nonzero(regional_stock)
    region_stock = pd.DataFrame(
        {
            "sku": np.array(skus)[s_idx],
            "location": np.array(regionals)[r_idx],
            "available": regional_stock[s_idx, r_idx].astype(np.int64),
        }
    )
    stock = pd.concat([region_stock, front_stock], ignore_index=True)

    inflow = need.sum(axis=0)  # expected units into each front over all skus
    lanes = []
    for r, region in enumerate(fronts):
        for k, front in enumerate(region):
            f = r * FRONTS_PER_REGIONAL + k
            lanes.append(
                (
                    regionals[r],
                    front,
                    round(rng.uniform(0.5, 2.5), 2),
                    int(inflow[f] * rng.uniform(0.7, 1.0)),
                )
            )
            neighbour = region[(k + 1) % FRONTS_PER_REGIONAL]
            for a, b in ((front, neighbour), (neighbour, front)):
                lanes.append((a, b, round(rng.uniform(0.2, 0.8), 2), max(20, n_skus // 10)))
    lanes_frame = pd.DataFrame(
        lanes, columns=["origin", "destination", "cost_per_unit", "capacity_units"]
    )
    capacity = pd.DataFrame(
        {
            "location": all_fronts,
            "free_capacity_units": (inflow * rng.uniform(0.75, 1.0, n_f)).astype(np.int64),
        }
    )
    return {"stock": stock, "needs": needs, "lanes": lanes_frame, "capacity": capacity}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", default="100,500,1000,2000,5000")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--mip-solver", default="highs")
    parser.add_argument("--min-shipment-units", type=int, default=0)
    parser.add_argument("--fairness-max-gap", type=float, default=None)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    rows = []
    for n_skus in [int(v) for v in args.skus.split(",")]:
        instance = make_instance(n_skus)
        options = AllocationOptions(
            time_limit_seconds=args.time_limit,
            mip_solver=args.mip_solver,
            min_shipment_units=args.min_shipment_units,
            fairness_max_gap=args.fairness_max_gap,
        )
        started = time.perf_counter()
        result = allocate_stock(
            instance["stock"],
            instance["needs"],
            instance["lanes"],
            capacity=instance["capacity"],
            options=options,
        )
        seconds = time.perf_counter() - started
        greedy = allocate_greedy(
            instance["stock"], instance["needs"], instance["lanes"], capacity=instance["capacity"]
        )
        optimal_cost = result.summary.objective
        greedy_cost = greedy.summary.objective
        rows.append(
            {
                "skus": n_skus,
                "fronts": REGIONALS * FRONTS_PER_REGIONAL,
                "need_rows": len(instance["needs"]),
                "seconds": round(seconds, 2),
                "solver": result.summary.solver,
                "status": result.summary.status,
                "gap": f"{result.summary.gap:.1e}",
                "optimal_cost": round(optimal_cost, 2),
                "greedy_cost": round(greedy_cost, 2),
                "saved_pct": round(100 * (greedy_cost - optimal_cost) / greedy_cost, 2),
                "greedy_seconds": round(greedy.summary.seconds, 2),
            }
        )
        print(f"... {n_skus} skus done in {seconds:.1f} s", flush=True)
    table = pd.DataFrame(rows)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    table.to_csv(out / "allocation_scale.csv", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
