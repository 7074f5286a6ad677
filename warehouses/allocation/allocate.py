"""Entry point: allocate regional and surplus stock to front-site needs (issue 5)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from warehouses.allocation.inputs import validate_inputs
from warehouses.allocation.model import AllocationModel, build_model
from warehouses.allocation.options import AllocationOptions
from warehouses.allocation.outages import apply_outages
from warehouses.allocation.result import (
    SHIPMENT_COLUMNS,
    AllocationResult,
    AllocationSummary,
)
from warehouses.allocation.solve import SolveOutcome, solve_model


def allocate_stock(
    stock: pd.DataFrame,
    needs: pd.DataFrame,
    lanes: pd.DataFrame,
    *,
    capacity: pd.DataFrame | None = None,
    locations: pd.DataFrame | None = None,
    down: Sequence[str] = (),
    options: AllocationOptions | None = None,
) -> AllocationResult:
    """Optimal integer allocation of stock to needs over lanes (model in docs/allocation.md).

    Args:
        stock: A.csv form `sku, location, available` (units available to ship at an origin:
            regional stock or a front site's surplus).
        needs: N.csv form `sku, location, need, shortage_cost` (units needed at a front site,
            cost per unit left unmet).
        lanes: L.csv form `origin, destination, cost_per_unit, capacity_units` (units over all
            skus; blank/NaN = unlimited; `capacity_units_per_day` accepted as the same);
            other columns such as `transit_days` are ignored.
        capacity: K.csv form `location, free_capacity_units` (units over all skus a front site
            can still receive); sites not listed are unlimited.
        locations: LOC form (`location, kind, parent, backup`, data formats); declares every
            site; needed for `down`.
        down: sites marked down (see docs/allocation.md).
        options: AllocationOptions (fairness, minimum shipment, solver, time limit).

    Raises:
        AllocationInputError (a ValueError) listing every invalid or inconsistent row.
        RuntimeError when the solver finds no solution within the time limit.
    """
    start = time.perf_counter()
    options = options or AllocationOptions()
    inputs = validate_inputs(stock, needs, lanes, capacity, locations, tuple(down))
    network = apply_outages(inputs, tuple(down))
    model = build_model(network, options)
    outcome = solve_model(model, options)
    return _result(model, outcome, network.warnings, time.perf_counter() - start)


def _result(
    model: AllocationModel, outcome: SolveOutcome, warnings: tuple[str, ...], seconds: float
) -> AllocationResult:
    x = outcome.values[: model.n_arcs]
    u = outcome.values[model.n_arcs : model.n_arcs + model.n_shortages]
    shipments = model.arcs.assign(units=np.rint(x).astype(np.int64))
    transport_cost = float((shipments["units"] * shipments["cost_per_unit"]).sum())
    shipments = shipments.loc[shipments["units"] > 0, list(SHIPMENT_COLUMNS)]
    fills = model.shortages.assign(unmet=np.rint(u).astype(np.int64))
    fills["shipped"] = fills["need"] - fills["unmet"]
    fills = fills[["sku", "location", "served_at", "need", "shipped", "unmet", "shortage_cost"]]
    shortage_cost = float((fills["unmet"] * fills["shortage_cost"]).sum())
    summary = AllocationSummary(
        status=outcome.status,
        objective=transport_cost + shortage_cost,
        transport_cost=transport_cost,
        shortage_units=int(fills["unmet"].sum()),
        shortage_cost=shortage_cost,
        best_bound=outcome.best_bound,
        seconds=seconds,
        solver=outcome.solver,
        lp_integral=outcome.lp_integral,
    )
    return AllocationResult(
        shipments.reset_index(drop=True), fills.reset_index(drop=True), summary, warnings
    )
