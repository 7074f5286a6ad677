"""Demand classification by ADI and CV^2 (Syntetos, Boylan & Croston 2005).

Syntetos, A.A., Boylan, J.E., Croston, J.D. (2005), "On the categorization of demand
patterns", JORS 56(5): ADI = average inter-demand interval (periods per non-zero demand),
CV^2 = squared coefficient of variation of the non-zero demand sizes. Cut-offs 1.32 and 0.49:

| | CV^2 < 0.49 | CV^2 >= 0.49 |
|---|---|---|
| ADI < 1.32 | smooth | erratic |
| ADI >= 1.32 | intermittent | lumpy |

A series without any sale has no inter-demand interval or size to measure: it is its own
class, "no_sales" (not selling, or not launched yet), not a demand pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.metrics import since_first_sale

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
NO_SALES = "no_sales"
DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy", NO_SALES)


@dataclass(frozen=True)
class DemandProfile:
    """ADI (periods per non-zero demand), CV^2 of non-zero sizes, and the class name."""

    adi: float
    cv2: float
    demand_class: str


def classify_demand(units: npt.ArrayLike) -> DemandProfile:
    """Classify one series of per-period demand (units >= 0, oldest first).

    The series is measured from its first non-zero period (leading zeros are "not yet
    selling", not intermittence). ADI = periods / non-zero periods. CV^2 uses the population
    standard deviation of the non-zero sizes. A series with no demand at all is "no_sales"
    (`NO_SALES`) with infinite ADI and NaN CV^2.
    """
    active = since_first_sale(units)
    if active.size == 0:
        return DemandProfile(adi=float("inf"), cv2=float("nan"), demand_class=NO_SALES)
    sizes = active[active > 0]
    adi = active.size / sizes.size
    mean = sizes.mean()
    cv2 = float((sizes.std() / mean) ** 2) if mean > 0 else 0.0
    if adi < ADI_CUTOFF:
        name = "smooth" if cv2 < CV2_CUTOFF else "erratic"
    else:
        name = "intermittent" if cv2 < CV2_CUTOFF else "lumpy"
    return DemandProfile(adi=float(adi), cv2=cv2, demand_class=name)


def classify_series(df: pd.DataFrame) -> pd.DataFrame:
    """Classify every series of a long frame `unique_id, ds, y` (sorted by id, ds).

    Returns `unique_id, adi, cv2, demand_class`.
    """
    rows = []
    for uid, group in df.groupby("unique_id", sort=False, observed=True):
        p = classify_demand(group["y"].to_numpy())
        rows.append((uid, p.adi, p.cv2, p.demand_class))
    return pd.DataFrame(rows, columns=["unique_id", "adi", "cv2", "demand_class"])


def classes_at_origins(train: pd.DataFrame, origins: pd.DataFrame) -> pd.Series:
    """The demand class of each row of `origins` (`unique_id`, `cutoff`) as
    `classify_demand` gives it on that series' history up to and including `cutoff`
    (`train`: `unique_id, ds, y`, one row per period); NaN where the series has no period
    at or before the cutoff. Indexed like `origins`.

    Computed from running counts and sums per series, so any number of origins costs one
    pass over `train`: periods since the first sale, periods with a sale, and the sum and
    sum of squares of the sale sizes (centred on the series' mean size, so the variance
    does not lose digits to large sizes). E.g. a series (0, 2, 2, 0, 9): at its 3rd period
    ADI 1, CV^2 0 -> smooth; at its 5th ADI 4/3, sizes (2, 2, 9) CV^2 0.58 -> lumpy.
    """
    frame = train[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"], kind="stable")
    if frame.empty:
        return pd.Series(np.nan, index=origins.index, dtype=object)
    codes, uniques = pd.factorize(frame["unique_id"], sort=False)  # ascending: sorted ids
    y = frame["y"].to_numpy(dtype=float)
    sold = y > 0
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, len(codes)])

    def running(values: np.ndarray) -> np.ndarray:  # cumulative sum within each series
        total = np.cumsum(values)
        before = np.r_[0.0, total][starts]  # the total before each series' first row
        return total - np.repeat(before, lengths)

    nonzero = running(sold.astype(float))
    active = running((nonzero > 0).astype(float))  # periods from the first sale on
    sales_per_series = np.maximum(nonzero[np.r_[starts[1:], len(codes)] - 1], 1.0)
    centre = np.repeat(running(np.where(sold, y, 0.0))[np.r_[starts[1:], len(codes)] - 1]
                       / sales_per_series, lengths)  # fmt: skip
    deviation = np.where(sold, y - centre, 0.0)
    s1, s2 = running(deviation), running(deviation**2)
    # the row at or before each cutoff: its series' rows are in date order, so one search
    # over (series, date rank) keys finds it
    dates = np.sort(frame["ds"].unique())
    width = len(dates) + 1
    keys = codes.astype(np.int64) * width + np.searchsorted(dates, frame["ds"].to_numpy())
    wanted_code = pd.Index(uniques).get_indexer(origins["unique_id"]).astype(np.int64)
    wanted_rank = np.searchsorted(dates, pd.to_datetime(origins["cutoff"]).to_numpy(), "right")
    row = np.searchsorted(keys, wanted_code * width + wanted_rank - 1, side="right") - 1
    found = (wanted_code >= 0) & (row >= 0)
    found &= np.where(found, codes[np.clip(row, 0, None)] == wanted_code, False)
    at = np.clip(row, 0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        count = nonzero[at]
        mean_deviation = s1[at] / count
        variance = np.maximum(s2[at] / count - mean_deviation**2, 0.0)
        cv2 = variance / (centre[at] + mean_deviation) ** 2
        adi = active[at] / count
    names = np.where(
        adi < ADI_CUTOFF,
        np.where(cv2 < CV2_CUTOFF, "smooth", "erratic"),
        np.where(cv2 < CV2_CUTOFF, "intermittent", "lumpy"),
    ).astype(object)
    names[count == 0] = NO_SALES
    names[~found] = np.nan  # no period at or before the cutoff
    return pd.Series(names, index=origins.index, dtype=object)
