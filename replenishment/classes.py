"""ABC/XYZ classes per sku x location and service-level targets per class.

ABC (value): series sorted by revenue (units x unit value over the history) descending;
A while the cumulative revenue share up to and including the series is <= `a_share`
(default 80%), B up to `b_share` (95%), C after; the first series is always A.
XYZ (variability): coefficient of variation of demand per period (std / mean, population
std, negative units counted as 0); X when cv <= `x_cv` (0.5), Y when <= `y_cv` (1.0), else
Z (also when the mean is 0). Source: the usual ABC-XYZ matrix, e.g. Scholz-Reiter et al.
(2012), "Analysis of the ABC-XYZ classification", and Silver, Pyke & Thomas (2017) 2.4.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from replenishment.inputs import KEY


@dataclass(frozen=True)
class ClassThresholds:
    """Cut-offs: revenue shares (fractions 0-1) for A and B, cv limits for X and Y."""

    a_share: float = 0.8
    b_share: float = 0.95
    x_cv: float = 0.5
    y_cv: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.a_share < self.b_share <= 1:
            raise ValueError("need 0 < a_share < b_share <= 1")
        if not 0 < self.x_cv < self.y_cv:
            raise ValueError("need 0 < x_cv < y_cv")


def classify_abc_xyz(
    history: pd.DataFrame,
    unit_value: pd.DataFrame | None = None,
    *,
    thresholds: ClassThresholds | None = None,
) -> pd.DataFrame:
    """`sku, location, revenue, revenue_share, cv, abc, xyz, abc_xyz` per series of `history`.

    `history`: `sku, location, date, units`; `unit_value`: `sku` and `unit_price` (or
    `unit_cost`) per unit; without it revenue is units (value 1 per unit). The periods are
    the distinct dates of the whole history: a series without a row on one of them had zero
    demand then (so a series launched late has a high cv, which is what its history shows).
    """
    t = thresholds or ClassThresholds()
    frame = history[[*KEY, "date", "units"]].copy()
    frame["units"] = pd.to_numeric(frame["units"]).clip(lower=0)
    frame["date"] = pd.to_datetime(frame["date"])
    price = pd.Series(1.0, index=frame.index)
    if unit_value is not None:
        column = "unit_price" if "unit_price" in unit_value.columns else "unit_cost"
        prices = unit_value.set_index("sku")[column].astype(float)
        price = frame["sku"].map(prices).fillna(0.0)
    frame["revenue"] = frame["units"] * price
    frame["sq"] = frame["units"] ** 2
    periods = frame["date"].nunique()
    grouped = frame.groupby(KEY, sort=False)
    stats = grouped.agg(revenue=("revenue", "sum"), total=("units", "sum"), sq=("sq", "sum"))
    stats = stats.reset_index()
    n = max(periods, 1)
    mean = stats["total"] / n
    var = np.maximum(stats["sq"] / n - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        stats["cv"] = np.where(mean > 0, np.sqrt(var) / mean, np.inf)
    stats = stats.sort_values("revenue", ascending=False, kind="stable").reset_index(drop=True)
    total = stats["revenue"].sum()
    share = stats["revenue"].cumsum() / total if total > 0 else pd.Series(1.0, index=stats.index)
    stats["revenue_share"] = stats["revenue"] / total if total > 0 else 0.0
    abc = np.where(share <= t.a_share + 1e-12, "A", np.where(share <= t.b_share + 1e-12, "B", "C"))
    abc[0] = "A"
    stats["abc"] = abc
    stats["xyz"] = np.where(stats["cv"] <= t.x_cv, "X", np.where(stats["cv"] <= t.y_cv, "Y", "Z"))
    stats["abc_xyz"] = stats["abc"] + stats["xyz"]
    return stats[[*KEY, "revenue", "revenue_share", "cv", "abc", "xyz", "abc_xyz"]]


def apply_class_targets(
    policy: pd.DataFrame,
    classes: pd.DataFrame,
    targets: Mapping[str, float],
    *,
    as_service_groups: bool = False,
) -> pd.DataFrame:
    """Policy with `service_level` set from `targets` by class.

    `targets` keys are a combined class (`"AX"`), an ABC letter (`"A"`) or an XYZ letter
    (`"Z"`); the most specific match wins (combined, then ABC, then XYZ). Series without a
    class or a matching key keep their policy's service_level. Targets must be in (0, 1).
    With `as_service_groups=True` each matched series also gets `service_group` = the key
    that matched (`"AX"`, `"A"` or `"Z"`), so the target is the class's aggregate fill rate
    (95% of the class's demand units; see replenishment/group_service.py) instead of one per
    series; unmatched series keep their service_group (blank when the policy has none).
    """
    bad = {k: v for k, v in targets.items() if not 0 < v < 1}
    if bad:
        raise ValueError(f"class targets must be strictly between 0 and 1: {bad}")
    merged = policy.merge(classes[[*KEY, "abc", "xyz", "abc_xyz"]], on=KEY, how="left")
    columns = ("abc_xyz", "abc", "xyz")  # most specific first: np.select takes the first match
    keys = pd.Series(
        np.select(
            [merged[c].isin(list(targets)).to_numpy() for c in columns],
            [merged[c].to_numpy(dtype=object) for c in columns],
            default=np.full(len(merged), None, dtype=object),
        ),
        index=merged.index,
        dtype=object,
    )  # the matched key, None where no key matches (an object column throughout)
    level = keys.map(targets).astype(float)  # NaN where unmatched
    out = policy.copy()
    out["service_level"] = level.fillna(merged["service_level"].astype(float)).to_numpy()
    if as_service_groups:
        previous = (
            out["service_group"].to_numpy()
            if "service_group" in out.columns
            else np.full(len(out), "", dtype=object)
        )
        out["service_group"] = np.where(keys.notna(), keys.astype(str), previous)
    return out
