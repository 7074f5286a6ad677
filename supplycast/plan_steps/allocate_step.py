"""Allocation step: front suggestions become needs, regional stock and front surplus supply them.

Frames for `warehouses.allocation.allocate_stock` (A / N / L / K / LOC form):
- stock `A`: regional warehouses' on-hand units, plus a front site's surplus
  max(0, floor(on_hand - order_up_to)) so surplus can move to a neighbouring front;
  only skus with a need are passed.
- needs `N`: each front suggestion with `order_qty > 0`; `shortage_cost` per unit left unmet =
  the item's `unit_price` (lost sale), or `default_shortage_cost` when it has none.
- lanes `L`: every lane; `capacity_units` = the lane's `capacity_units_per_day` (one day of
  shipping), blank = unlimited.
- capacity `K`: a front site's `capacity_units` minus its total on-hand units (>= 0); sites
  without a capacity are left out (unlimited).
Shipments leave on the plan date (as_of + 1) and arrive `ceil(transit_days)` days later.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from supplycast.plan_steps.inputs import PlanningInputs, PlanParameters


def build_allocation_inputs(
    inputs: PlanningInputs, suggestions: pd.DataFrame, parameters: PlanParameters
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(stock, needs, lanes, capacity) for `allocate_stock`; see the module docstring."""
    kinds = inputs.locations.set_index("location")["kind"]
    items = inputs.items.set_index("sku")
    front = suggestions[(suggestions["location_kind"] == "front") & (suggestions["order_qty"] > 0)]
    needs = pd.DataFrame(
        {
            "sku": front["sku"].to_numpy(),
            "location": front["location"].to_numpy(),
            "need": front["order_qty"].astype(float).to_numpy(),
        }
    )
    price = needs["sku"].map(items["unit_price"]).astype(float)
    needs["shortage_cost"] = price.fillna(parameters.default_shortage_cost).to_numpy()
    skus = set(needs["sku"])

    inventory = inputs.inventory
    regional = inventory[inventory["location"].map(kinds) == "regional"]
    regional = regional.groupby(["sku", "location"], as_index=False)["on_hand"].sum()
    regional = regional.rename(columns={"on_hand": "available"})
    fronts = suggestions[suggestions["location_kind"] == "front"][
        ["sku", "location", "order_up_to"]
    ]
    surplus = inventory.merge(fronts, on=["sku", "location"], how="inner")
    surplus["available"] = np.floor(surplus["on_hand"] - surplus["order_up_to"].fillna(np.inf))
    surplus = surplus[surplus["available"] > 0][["sku", "location", "available"]]
    stock = pd.concat([regional, surplus], ignore_index=True)
    stock = stock[stock["sku"].isin(skus) & (stock["available"] > 0)].reset_index(drop=True)
    stock["available"] = np.floor(stock["available"].astype(float))

    lanes = inputs.lanes.rename(columns={"capacity_units_per_day": "capacity_units"})
    lanes = lanes[["origin", "destination", "cost_per_unit", "capacity_units", "transit_days"]]

    locations = inputs.locations
    with_capacity = locations[(locations["kind"] == "front") & locations["capacity_units"].notna()]
    held = inventory.groupby("location")["on_hand"].sum()
    free = with_capacity["capacity_units"].astype(float) - with_capacity["location"].map(
        held
    ).fillna(0.0)
    capacity = pd.DataFrame(
        {
            "location": with_capacity["location"].to_numpy(),
            "free_capacity_units": free.clip(lower=0).to_numpy(),
        }
    )
    return stock, needs.reset_index(drop=True), lanes.reset_index(drop=True), capacity


def run_allocation(
    allocate_stock: Any,
    inputs: PlanningInputs,
    parameters: PlanParameters,
    stock: pd.DataFrame,
    needs: pd.DataFrame,
    lanes: pd.DataFrame,
    capacity: pd.DataFrame,
) -> Any:
    """Call the allocation core (`allocate_stock`, passed in) on `build_allocation_inputs`'
    frames: lane capacities only when there are any, the sites marked down in `parameters`.
    Returns the core's result (`shipments`, `summary`)."""
    return allocate_stock(
        stock,
        needs,
        lanes,
        capacity=capacity if len(capacity) else None,
        locations=inputs.locations,
        down=parameters.down_locations,
    )


def allocation_rows(
    shipments: pd.DataFrame, lanes: pd.DataFrame, plan_date: dt.date
) -> pd.DataFrame:
    """X.csv shipments -> `plan_allocations` rows with ship and arrival dates."""
    transit = lanes.set_index(["origin", "destination"])["transit_days"].to_dict()
    rows = shipments[["sku", "origin", "destination", "units"]].copy()
    rows["ship_date"] = plan_date
    arrivals: list[dt.date | None] = []
    for origin, destination in zip(rows["origin"], rows["destination"], strict=True):
        days = transit.get((origin, destination))
        if days is None or (isinstance(days, float) and math.isnan(days)):
            arrivals.append(None)
        else:
            arrivals.append(plan_date + dt.timedelta(days=math.ceil(float(days))))
    rows["arrival_date"] = arrivals
    return rows.reset_index(drop=True)
