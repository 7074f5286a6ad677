"""Replenishment step: policies, positions and regional demand for `plan_replenishment`.

Two echelons, each an installation-stock policy (order-up-to over lead time + review period):
- **front** sites are refilled from their regional `parent`: lead time = the lane's
  `transit_days` (parent -> front; 1 day with a warning when the lane is missing), review
  period = `front_review_period_days`, no MOQ (the supplier's MOQ applies upstream), the
  item's pack size and shelf life.
- **regional** warehouses order from a supplier (supply.csv; with several suppliers for the
  same sku the shortest lead time wins): lead time and its standard deviation in days, the
  supplier's `order_days`, review period = the longest gap in days between two consecutive
  order days (7 for one order day a week, 1 when any day), the item's MOQ, pack size, shelf life.
  Their demand is the sum of their fronts' forecasts (plus their own sales' forecast, if any).
  Quantiles of the sum use a normal approximation with independent fronts: sigma of each
  front from (p90 - p10) / (2 * 1.2816) (z of 0.9), summed in variance, then
  p_q = mean + z_q * sigma. [Silver, Pyke & Thomas, Inventory and Production Management in
  Supply Chains, 4th ed., 2017, section 6.7 (aggregating independent normal demands).]
  Cumulative quantiles `cum_pNN` (of the total demand from the first forecast date to each
  row's end) are summed the same way: each part's cumulative sigma from its widest symmetric
  cum pair, variances added across the parts, cum_p_q = cumulative mean + z_q * sigma with
  the cumulative mean = the running sum over dates of the regional mean.

Position inputs: `on_hand` from the latest count (0 when there is none), `on_order` = units
of purchase orders / transfers still expected after the as-of date.

Service targets per class (`PlanParameters.service_targets`; None = `service_level` on every
policy, nothing below happens). Classes (`plan_classes`, `replenishment.classes.
classify_abc_xyz`: A/B/C at 80%/95% of cumulative revenue, X/Y/Z at demand cv 0.5/1.0) come
from the plan's sales history, the one the forecast step uses (units summed per sku x
location x day, within `history_days`), valued at the item's `unit_price` (its `unit_cost`
when the price is blank; revenue 0, class C, when both are). Each echelon is classified on
its own, because a regional's demand is its fronts' demand again:
- a **front** series among the front series, on its own sales;
- a **regional** (sku x regional) among the regional series, on the daily sum of the sales
  of the series it serves (its fronts, plus its own sales): the same demand its policy is
  planned on, so its ABC rank is its sku's rank in that region and its XYZ class the
  variability of the pooled demand (usually lower than its fronts').
With `service_targeting="group"` the class key matched (`"B"`, `"AX"`, ...) becomes the
service group `"<echelon> <key>"` (`"front B"`, `"regional B"`): the core meets the target as
the aggregate fill rate of the class's demand units per echelon (fronts' units and the
regional's units are the same demand, so they are never pooled in one group) at the minimum
stock value (replenishment/group_service.py); `min_fill_rate` is the floor of its rows. With
`"item"` every series of the class is planned at the target. Series whose class has no key
keep `service_level`. The suggestions carry `service_class` (the `abc_xyz` class) and
`service_group` (stored as columns of `plan_suggestions`), and each explanation starts with
"Class BX." (the core's text goes on with "fill rate 95.0% on group front B's demand; this
item's fill rate 93.2%"). Every suggestion carries `target_fill_rate`, the fill rate it was
solved for (the core's `row_fill_rate`: the implied one in a group).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from replenishment.classes import apply_class_targets, classify_abc_xyz
from replenishment.inputs import CUMULATIVE_QUANTILE_COLUMN
from replenishment.inputs import quantile_columns as quantile_columns_by_level
from replenishment.planning import SUGGESTION_COLUMNS
from supplycast.plan_steps.inputs import PlanningInputs, PlanParameters, daily_history

WEEKDAY_TOKENS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Z_90 = float(norm.ppf(0.9))


def review_period_from_order_days(order_days: str | None) -> float:
    """Longest gap in days between consecutive order days of the week (`Mon,Thu` -> 4).

    Blank means any day (1). Unknown tokens raise ValueError.
    """
    if order_days is None or (isinstance(order_days, float) and math.isnan(order_days)):
        return 1.0
    tokens = [t.strip().lower()[:3] for t in str(order_days).split(",") if t.strip()]
    if not tokens:
        return 1.0
    for token in tokens:
        if token not in WEEKDAY_TOKENS:
            raise ValueError(f"unknown order day {token!r} in {order_days!r}")
    days = sorted({WEEKDAY_TOKENS.index(t) for t in tokens})
    gaps = [(days[(i + 1) % len(days)] - day) % 7 or 7 for i, day in enumerate(days)]
    return float(max(gaps))


def _widest_cumulative_pair(frame: pd.DataFrame) -> tuple[float, float] | None:
    """Levels (lo, hi) of the widest symmetric `cum_pNN` pair in `frame` (lo + hi = 1), or
    None (`replenishment.inputs.quantile_columns` finds the columns)."""
    levels = quantile_columns_by_level(frame, CUMULATIVE_QUANTILE_COLUMN)
    pairs = [(lo, round(1 - lo, 2)) for lo in levels if lo < 0.5 and round(1 - lo, 2) in levels]
    return pairs[0] if pairs else None


def aggregate_forecasts(forecasts: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Sum forecasts of the series in `groups` (`sku, location, target`) per sku x target x date.

    Mean adds; each quantile `pNN` is mean + z(NN/100) * sigma with the variances of the parts
    added (independent normal approximation, module docstring). Cumulative `cum_pNN` columns
    are kept when the input has a symmetric pair of them: per sku x target they are
    cumulative mean + z * sigma (cumulative mean = running sum of the summed means by date,
    sigma^2 = the sum of the parts' cumulative variances) when every part has a usable pair on
    every row and all parts share the same dates (otherwise the group's cum values are NaN,
    i.e. not available); without a pair the cum columns are dropped.
    """
    merged = forecasts.merge(groups, on=["sku", "location"], how="inner")
    if not len(merged):
        return forecasts.iloc[0:0].copy()
    if "p10" in merged.columns and "p90" in merged.columns:
        sigma = (merged["p90"] - merged["p10"]).clip(lower=0) / (2 * Z_90)
    else:
        sigma = pd.Series(0.0, index=merged.index)
    merged = merged.assign(_variance=sigma**2)
    cum_levels = quantile_columns_by_level(forecasts, CUMULATIVE_QUANTILE_COLUMN)
    cum_columns = list(cum_levels.values())
    pair = _widest_cumulative_pair(forecasts)
    sums = ["mean", "_variance"]
    if pair is not None:
        z_span = float(norm.ppf(pair[1]) - norm.ppf(pair[0]))
        lo, hi = cum_levels[pair[0]], cum_levels[pair[1]]
        spread = pd.to_numeric(merged[hi], errors="coerce") - pd.to_numeric(
            merged[lo], errors="coerce"
        )
        cum_variance = (spread.clip(lower=0) / z_span) ** 2
        merged = merged.assign(
            _cum_variance=cum_variance.fillna(0.0),
            _cum_missing=cum_variance.isna().astype(float),
            _parts=1.0,
        )
        sums += ["_cum_variance", "_cum_missing", "_parts"]
    else:
        cum_columns = []
    summed = merged.groupby(["sku", "target", "date"], as_index=False)[sums].sum()
    sd = np.sqrt(summed["_variance"])
    for level, column in quantile_columns_by_level(forecasts).items():
        summed[column] = (summed["mean"] + float(norm.ppf(level)) * sd).clip(lower=0)
    if cum_columns:
        group = [summed["sku"], summed["target"]]
        parts = merged.groupby(["sku", "target"], as_index=False)["location"].nunique()
        expected = summed[["sku", "target"]].merge(parts, on=["sku", "target"], how="left")
        # a group qualifies when no part row lacks the pair and every date has every part
        bad_row = (summed["_cum_missing"] > 0) | (
            summed["_parts"].to_numpy() != expected["location"].to_numpy()
        )
        bad_group = bad_row.groupby(group).transform("any")
        cum_mean = summed["mean"].groupby(group).cumsum()  # rows sorted by sku, target, date
        cum_sd = np.sqrt(summed["_cum_variance"]).where(~bad_group)
        for level, column in cum_levels.items():
            summed[column] = (cum_mean + float(norm.ppf(level)) * cum_sd).clip(lower=0)
    summed["model"] = "sum_of_fronts"
    summed = summed.drop(columns=sums[1:]).rename(columns={"target": "location"})
    return summed[
        [
            "sku",
            "location",
            "date",
            "mean",
            *quantile_columns_by_level(forecasts).values(),
            *cum_columns,
            "model",
        ]
    ]


def _unit_values(items: pd.DataFrame) -> pd.DataFrame | None:
    """`sku, unit_price` per item: the price, else the unit cost (None when neither column
    exists: revenue in units)."""
    columns = [c for c in ("unit_price", "unit_cost") if c in items.columns]
    if not columns:
        return None
    price = pd.to_numeric(items[columns[0]], errors="coerce")
    for column in columns[1:]:
        price = price.fillna(pd.to_numeric(items[column], errors="coerce"))
    return pd.DataFrame({"sku": items["sku"].to_numpy(), "unit_price": price.to_numpy()})


def plan_classes(
    inputs: PlanningInputs, feeds: pd.DataFrame, history: pd.DataFrame | None = None
) -> pd.DataFrame:
    """ABC/XYZ class per front series and per regional series (`classify_abc_xyz` columns).

    Fronts: every series with sales at a `front` site, classified among themselves.
    Regionals: `feeds` (`sku, location, target`) names the series whose demand each regional
    `target` serves (as for `aggregate_forecasts`); their daily sales are summed per sku x
    target and classified among the regional series. See the module docstring.
    `history`: the daily history (`sku, location, date, units`, one row per series and day)
    when the caller has it (the forecast step's); None = `daily_history(inputs.sales)`.
    """
    if history is None:
        history = daily_history(inputs.sales)
    kinds = inputs.locations.set_index("location")["kind"]
    values = _unit_values(inputs.items)
    parts = []
    front_history = history[history["location"].map(kinds) == "front"]
    if len(front_history):
        parts.append(classify_abc_xyz(front_history, values))
    pooled = history.merge(feeds, on=["sku", "location"], how="inner")
    if len(pooled):
        pooled = pooled.groupby(["sku", "target", "date"], as_index=False)["units"].sum()
        parts.append(classify_abc_xyz(pooled.rename(columns={"target": "location"}), values))
    if not parts:
        columns = ["sku", "location", "revenue", "revenue_share", "cv", "abc", "xyz", "abc_xyz"]
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)


def apply_service_targets(
    policy: pd.DataFrame, classes: pd.DataFrame, parameters: PlanParameters
) -> pd.DataFrame:
    """`policy` (with `location_kind`) plus `abc_xyz`, its service_level from the class target
    (`apply_class_targets`); with group targeting also `service_group` = `"<kind> <key>"`
    for the rows a key matched ("" otherwise) and their `min_fill_rate` floor when given."""
    targets = parameters.service_targets
    if targets is None:
        return policy
    group = parameters.service_targeting == "group"
    out = apply_class_targets(policy, classes, targets, as_service_groups=group)
    named = policy[["sku", "location"]].merge(
        classes[["sku", "location", "abc_xyz"]], on=["sku", "location"], how="left"
    )
    out["abc_xyz"] = named["abc_xyz"].to_numpy()
    if group:
        keyed = (out["service_group"] != "").to_numpy()
        labels = out["location_kind"].astype(str) + " " + out["service_group"].astype(str)
        out["service_group"] = np.where(keyed, labels, "")
        if parameters.min_fill_rate is not None:
            out["min_fill_rate"] = np.where(keyed, parameters.min_fill_rate, np.nan)
    return out


def _positions(inputs: PlanningInputs, keys: pd.DataFrame) -> pd.DataFrame:
    on_hand = inputs.inventory.groupby(["sku", "location"], as_index=False)["on_hand"].sum()
    orders = inputs.purchase_orders
    on_order = (
        orders.groupby(["sku", "location"], as_index=False)["units"]
        .sum()
        .rename(columns={"units": "on_order"})
        if len(orders)
        else pd.DataFrame(columns=["sku", "location", "on_order"])
    )
    frame = keys.merge(on_hand, on=["sku", "location"], how="left").merge(
        on_order, on=["sku", "location"], how="left"
    )
    frame["on_hand"] = frame["on_hand"].astype(float).fillna(0.0)
    frame["on_order"] = frame["on_order"].astype(float).fillna(0.0)
    return frame[["sku", "location", "on_hand", "on_order"]]


def build_replenishment_inputs(
    inputs: PlanningInputs,
    front_forecasts: pd.DataFrame,
    parameters: PlanParameters,
    history: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """(forecasts, inventory, policy, origins, warnings) in F / I / P form for both echelons.

    `origins` is `sku, location, location_kind, origin` for every policy row, plus
    `abc_xyz` (and `service_group` with group targeting) when `parameters.service_targets`
    is given (module docstring). `history`: the forecast step's daily history, reused for
    the classes (None = rebuilt from `inputs.sales`; only read with service targets).
    """
    warnings: list[str] = []
    locations = inputs.locations.set_index("location")
    items = inputs.items.set_index("sku")
    kinds = locations["kind"].to_dict()
    parents = locations["parent"].to_dict()

    # Fronts: series with a forecast at a front site that has a parent.
    fronts = front_forecasts[["sku", "location"]].drop_duplicates()
    fronts = fronts[fronts["location"].map(kinds) == "front"].copy()
    fronts["origin"] = fronts["location"].map(parents)
    fronts = fronts[fronts["origin"].notna()]
    lanes = inputs.lanes.set_index(["origin", "destination"])["transit_days"].to_dict()
    transit = [lanes.get((o, d)) for o, d in zip(fronts["origin"], fronts["location"], strict=True)]
    missing = sorted({d for t, d in zip(transit, fronts["location"], strict=True) if t is None})
    if missing:
        warnings.append(
            f"no lane from the parent to {', '.join(missing)}: front lead time taken as 1 day"
        )
    front_policy = pd.DataFrame(
        {
            "sku": fronts["sku"].to_numpy(),
            "location": fronts["location"].to_numpy(),
            "lead_time_days": [1.0 if t is None else float(t) for t in transit],
            "review_period_days": parameters.front_review_period_days,
            "lead_time_std_days": 0.0,
            "moq": 0.0,
        }
    )
    front_policy["location_kind"] = "front"
    front_policy["origin"] = fronts["origin"].to_numpy()

    # Regionals: supply rows (shortest lead time per sku x regional).
    supply = inputs.supply.sort_values(["sku", "location", "lead_time_days", "supplier"])
    supply = supply.drop_duplicates(["sku", "location"])
    supply = supply[supply["location"].map(kinds) == "regional"]
    groups = fronts[["sku", "location", "origin"]].rename(columns={"origin": "target"})
    own = front_forecasts[front_forecasts["location"].map(kinds) == "regional"][["sku", "location"]]
    own = own.drop_duplicates().assign(target=lambda f: f["location"])
    regional_forecasts = aggregate_forecasts(front_forecasts, pd.concat([groups, own]))
    with_demand = regional_forecasts[["sku", "location"]].drop_duplicates()
    supply = supply.merge(with_demand, on=["sku", "location"], how="inner")
    regional_policy = pd.DataFrame(
        {
            "sku": supply["sku"].to_numpy(),
            "location": supply["location"].to_numpy(),
            "lead_time_days": supply["lead_time_days"].astype(float).to_numpy(),
            "review_period_days": [review_period_from_order_days(v) for v in supply["order_days"]],
            "lead_time_std_days": supply["lead_time_std_days"].fillna(0.0).astype(float).to_numpy(),
            "moq": supply["sku"].map(items["moq"]).fillna(0).astype(float).to_numpy(),
            "order_days": supply["order_days"].fillna("").to_numpy(),
        }
    )
    regional_policy["location_kind"] = "regional"
    regional_policy["origin"] = supply["supplier"].to_numpy()

    policy = pd.concat([front_policy, regional_policy], ignore_index=True)
    policy["service_level"] = parameters.service_level
    labels = ["sku", "location", "location_kind", "origin"]
    if parameters.service_targets is not None:
        feeds = pd.concat([groups, own], ignore_index=True)
        classes = plan_classes(inputs, feeds, history)
        policy = apply_service_targets(policy, classes, parameters)
        labels += ["abc_xyz", "service_group"] if "service_group" in policy else ["abc_xyz"]
    policy["pack_size"] = policy["sku"].map(items["pack_size"]).fillna(1).astype(float)
    policy["shelf_life_days"] = policy["sku"].map(items["shelf_life_days"]).astype(float)
    policy["unit_cost"] = policy["sku"].map(items["unit_cost"]).astype(float)
    if "order_days" in policy.columns:
        policy["order_days"] = policy["order_days"].fillna("")
    origins = policy[labels].copy()
    policy = policy.drop(columns=["location_kind", "origin", "abc_xyz"], errors="ignore")
    protection = policy["lead_time_days"] + policy["review_period_days"]
    too_long = protection > parameters.horizon_days
    if too_long.any():
        warnings.append(
            f"{int(too_long.sum())} policies protect longer (lead time + review, up to "
            f"{protection.max():g} days) than the {parameters.horizon_days}-day forecast horizon: "
            "their demand over protection is understated; raise horizon_days"
        )

    keys = policy[["sku", "location"]]
    all_forecasts = pd.concat(
        [
            front_forecasts.merge(fronts[["sku", "location"]], on=["sku", "location"]),
            regional_forecasts,
        ],
        ignore_index=True,
    )
    all_forecasts = all_forecasts.merge(keys, on=["sku", "location"], how="inner")
    inventory = _positions(inputs, keys)
    return all_forecasts, inventory, policy, origins, tuple(warnings)


def run_replenishment(
    plan_replenishment: Any,
    inputs: PlanningInputs,
    front_forecasts: pd.DataFrame,
    parameters: PlanParameters,
    history: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Call the replenishment core (`plan_replenishment`, passed in) on both echelons as of
    the plan date; returns (suggestions plus `location_kind`, `origin`, `target_fill_rate`;
    the step's warnings).

    `target_fill_rate` is the fill rate (fraction 0-1) each row was solved for: the core's
    `row_fill_rate` (details), i.e. its implied rate in a service group, else its service level.
    With class service targets the suggestions also carry `service_class` (the ABC/XYZ class,
    `"BY"`) and, with group targeting, `service_group` (`"front B"`; None for a row outside a
    group), and each explanation with a class starts with "Class BY. ". `history`: the
    forecast step's daily history, reused for the classes (None = rebuilt from `inputs.sales`).
    """
    f_frame, i_frame, p_frame, origins, warnings = build_replenishment_inputs(
        inputs, front_forecasts, parameters, history
    )
    detailed = plan_replenishment(f_frame, i_frame, p_frame, as_of=inputs.plan_date, details=True)
    suggestions = detailed[[c for c in SUGGESTION_COLUMNS if c in detailed.columns]].assign(
        target_fill_rate=detailed["row_fill_rate"].to_numpy(dtype=float)
    )
    suggestions = suggestions.merge(origins, on=["sku", "location"], how="left")
    if "service_group" in suggestions.columns:
        group = suggestions["service_group"]
        suggestions["service_group"] = group.where(group.notna() & (group != ""), None)
    if "abc_xyz" in suggestions.columns:
        suggestions = suggestions.rename(columns={"abc_xyz": "service_class"})
        named = suggestions["service_class"].notna().to_numpy()
        prefix = "Class " + suggestions["service_class"].fillna("").astype(str) + ". "
        suggestions["explanation"] = np.where(
            named, prefix + suggestions["explanation"], suggestions["explanation"]
        )
    return suggestions, warnings
