"""Greedy allocation rule, the baseline the optimizer is compared with (issue 5 benchmark).

Rule: take need rows in order of shortage cost per unit, highest first; for each, take the
origins that have a lane to its site in order of lane cost per unit ("nearest origin first")
and ship as much as stock, lane capacity and site capacity allow, as long as the lane costs less
than the shortage it avoids. Sites marked down are handled as in the optimizer.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

import pandas as pd

from warehouses.allocation.inputs import validate_inputs
from warehouses.allocation.outages import apply_outages
from warehouses.allocation.result import (
    FILL_COLUMNS,
    SHIPMENT_COLUMNS,
    AllocationResult,
    AllocationSummary,
)


def allocate_greedy(
    stock: pd.DataFrame,
    needs: pd.DataFrame,
    lanes: pd.DataFrame,
    *,
    capacity: pd.DataFrame | None = None,
    locations: pd.DataFrame | None = None,
    down: Sequence[str] = (),
) -> AllocationResult:
    """Allocate by the greedy rule of the module docstring (same inputs as allocate_stock).

    The summary's status is "heuristic" and best_bound is NaN (no bound is proven).
    """
    start = time.perf_counter()
    inputs = validate_inputs(stock, needs, lanes, capacity, locations, tuple(down))
    network = apply_outages(inputs, tuple(down))
    left: dict[tuple[str, str], int] = {
        (s, i): int(a)
        for s, i, a in network.stock[["sku", "location", "available"]].itertuples(index=False)
    }
    lane_left: dict[tuple[str, str], float] = {}
    into: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for origin, destination, cost, cap in network.lanes[
        ["origin", "destination", "cost_per_unit", "capacity_units"]
    ].itertuples(index=False):
        lane_left[(origin, destination)] = float(cap)
        into[destination].append((float(cost), origin))
    for origins in into.values():
        origins.sort()
    site_left = {
        site: int(k)
        for site, k in network.capacity[["location", "free_capacity_units"]].itertuples(index=False)
    }

    order = network.needs.sort_values(
        ["shortage_cost", "sku", "location"], ascending=[False, True, True], kind="stable"
    )
    shipments: dict[tuple[str, str, str], int] = defaultdict(int)
    unmet: dict[int, int] = {}
    for row, sku, site, need, penalty in order[
        ["sku", "served_at", "need", "shortage_cost"]
    ].itertuples(index=True):
        remaining = int(need)
        if site is not None:
            for cost, origin in into.get(site, []):
                if remaining == 0 or cost >= penalty:
                    break
                units = min(
                    remaining,
                    left.get((sku, origin), 0),
                    lane_left[(origin, site)],
                    site_left.get(site, remaining),
                )
                units = int(units)
                if units <= 0:
                    continue
                remaining -= units
                left[(sku, origin)] -= units
                lane_left[(origin, site)] -= units
                if site in site_left:
                    site_left[site] -= units
                shipments[(sku, origin, site)] += units
        unmet[row] = remaining

    lane_cost = dict(
        zip(
            zip(network.lanes["origin"], network.lanes["destination"], strict=True),
            network.lanes["cost_per_unit"],
            strict=True,
        )
    )
    shipped = pd.DataFrame(
        [(s, i, j, units) for (s, i, j), units in sorted(shipments.items()) if units > 0],
        columns=list(SHIPMENT_COLUMNS),
    )
    transport_cost = float(sum(units * lane_cost[(i, j)] for (_, i, j), units in shipments.items()))
    fills = network.needs.assign(unmet=network.needs.index.map(unmet).astype("int64"))
    fills["shipped"] = fills["need"] - fills["unmet"]
    fills = fills[list(FILL_COLUMNS)]
    shortage_cost = float((fills["unmet"] * fills["shortage_cost"]).sum())
    summary = AllocationSummary(
        status="heuristic",
        objective=transport_cost + shortage_cost,
        transport_cost=transport_cost,
        shortage_units=int(fills["unmet"].sum()),
        shortage_cost=shortage_cost,
        best_bound=float("nan"),
        seconds=time.perf_counter() - start,
        solver="greedy",
        lp_integral=False,
    )
    return AllocationResult(shipped, fills.reset_index(drop=True), summary, network.warnings)
