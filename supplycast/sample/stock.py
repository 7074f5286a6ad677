"""Inventory snapshot and open purchase orders / transfers of the sample network.

Stock is set in days of cover of the recent expected demand: fronts 1-10 days (perishables
1-4), regionals 7-25 days of the demand of the fronts they feed (perishables 2-6); about 3 %
of the front positions are out of stock and a few are overstocked (30-60 days) so that the
plan has something to flag. Open supplier orders arrive at regionals within their lead time;
transfers in transit arrive at fronts tomorrow. Order quantities are whole cases, at least MOQ.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd


def build_inventory(
    rng: np.random.Generator,
    items: pd.DataFrame,
    locations: pd.DataFrame,
    recent_rate: pd.DataFrame,
    as_of: date,
) -> pd.DataFrame:
    """inventory.csv: on hand per (sku, location) at the end of `as_of`, every SKU everywhere."""
    perishable = items.set_index("sku")["shelf_life_days"].notna()
    front_rate = recent_rate.assign(perishable=recent_rate["sku"].map(perishable).to_numpy())
    n = len(front_rate)
    cover = np.where(front_rate["perishable"], rng.uniform(1, 4, n), rng.uniform(1, 10, n))
    cover = np.where(rng.random(n) < 0.03, 0.0, cover)
    cover = np.where(rng.random(n) < 0.02, rng.uniform(30, 60, n), cover)
    fronts = front_rate.assign(on_hand=np.floor(front_rate["rate"] * cover).astype(int))

    parent = locations.set_index("location")["parent"]
    regional_rate = (
        front_rate.assign(location=front_rate["location"].map(parent))
        .groupby(["sku", "location"], as_index=False)
        .agg(rate=("rate", "sum"), perishable=("perishable", "first"))
    )
    m = len(regional_rate)
    cover = np.where(regional_rate["perishable"], rng.uniform(2, 6, m), rng.uniform(7, 25, m))
    regionals = regional_rate.assign(on_hand=np.floor(regional_rate["rate"] * cover).astype(int))

    inventory = pd.concat([regionals, fronts], ignore_index=True)[["sku", "location", "on_hand"]]
    inventory["as_of"] = as_of.isoformat()
    return inventory.sort_values(["sku", "location"], ignore_index=True)


def build_purchase_orders(
    rng: np.random.Generator,
    items: pd.DataFrame,
    supply: pd.DataFrame,
    recent_rate: pd.DataFrame,
    locations: pd.DataFrame,
    as_of: date,
) -> pd.DataFrame:
    """purchase_orders.csv: open orders (35 % of SKU x regional, 5-15 days of demand, due
    within the lead time) and transfers in transit (15 % of SKU x front, 1-3 days, due tomorrow)."""
    packs = items.set_index("sku")["pack_size"]
    moqs = items.set_index("sku")["moq"]
    parent = locations.set_index("location")["parent"]
    regional_rate = (
        recent_rate.assign(location=recent_rate["location"].map(parent))
        .groupby(["sku", "location"], as_index=False)["rate"]
        .sum()
    )
    orders = supply.merge(regional_rate, on=["sku", "location"], how="left")
    n = len(orders)
    orders = orders[rng.random(n) < 0.35].copy()
    days = rng.uniform(5, 15, len(orders))
    lead = orders["lead_time_days"].to_numpy()
    due = rng.integers(1, np.maximum(lead, 1) + 1)
    orders["units"] = _whole_cases(orders["rate"] * days, orders["sku"], packs, moqs)
    orders["expected_date"] = [(as_of + timedelta(days=int(d))).isoformat() for d in due]

    transfers = recent_rate[rng.random(len(recent_rate)) < 0.15].copy()
    days = rng.uniform(1, 3, len(transfers))
    transfers["units"] = _whole_cases(transfers["rate"] * days, transfers["sku"], packs, None)
    transfers["expected_date"] = (as_of + timedelta(days=1)).isoformat()

    columns = ["sku", "location", "units", "expected_date"]
    frame = pd.concat([orders[columns], transfers[columns]], ignore_index=True)
    return frame.sort_values(["sku", "location", "expected_date"], ignore_index=True)


def _whole_cases(
    units: pd.Series, skus: pd.Series, packs: pd.Series, moqs: pd.Series | None
) -> np.ndarray:
    """Round `units` up to whole cases of the SKU's pack size, at least one case (or the MOQ)."""
    pack = skus.map(packs).to_numpy()
    cases = np.maximum(np.ceil(units.to_numpy() / pack), 1)
    result = (cases * pack).astype(int)
    if moqs is not None:
        result = np.maximum(result, skus.map(moqs).to_numpy())
    return result
