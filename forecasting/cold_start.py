"""Cold-start forecasts from a category/location profile.

A series with too little history gets, for every horizon date, the average forecast
(mean and each quantile) of its peers: the warm series of the same category at the same
location; failing that, the same category anywhere; then the same location; then all warm
series. Categories come from an optional `items` frame (`sku, category`).

A cold series that has sold already keeps its own level: the peer profile is rescaled so
that its mean over the horizon equals the series' mean units per period since its first
sale (peers give the shape over time and the relative spread of the quantiles; sizes differ
too much between products to borrow). A series that never sold gets the peers' absolute
values. With no warm series at all, the series' own mean is used (zero when it never sold).

Peers are mature products, so their relative spread understates how uncertain a level
estimated from a few periods is. A cold series with two or more periods since its first
sale therefore also gets the classical prediction interval for one new value of a sample
of n (Student t, n - 1 degrees of freedom): mean forecast +/- t_q * sd * sqrt(1 + 1/n),
with sd the sample standard deviation of its units per period since the first sale; each
quantile is the wider of the two (lower quantiles the lower, upper the higher, at least 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import t as student_t


def profile_forecasts(
    cold: pd.DataFrame,
    warm_forecasts: pd.DataFrame,
    value_columns: list[str],
    horizon_dates: pd.DatetimeIndex,
    *,
    items: pd.DataFrame | None = None,
    own_means: pd.Series | None = None,
    own_spread: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Forecast rows for the `cold` series (`sku, location`).

    `warm_forecasts`: F-form rows (`sku, location, date` + `value_columns`) of warm series.
    `own_means`: mean units per period since the first sale per (sku, location); 0 or
    missing = never sold.
    `own_spread`: `n` (periods since the first sale) and `sd` (sample standard deviation of
    units per period over them) per (sku, location); widens the quantiles (see above).
    Returns `sku, location, date` + value columns + `profile` (which peer group was used).
    """
    category = (
        items.assign(sku=items["sku"].astype(str))
        .drop_duplicates("sku")
        .set_index("sku")["category"]
        .astype(str)
        if items is not None and {"sku", "category"} <= set(items.columns)
        else pd.Series(dtype=str)
    )
    warm = warm_forecasts.copy()
    warm["category"] = warm["sku"].map(category)
    levels = [
        ("category and location", ["category", "location"]),
        ("category", ["category"]),
        ("location", ["location"]),
    ]
    means = {name: warm.groupby([*keys, "date"])[value_columns].mean() for name, keys in levels}
    overall = warm.groupby("date")[value_columns].mean()
    rows = []
    for sku, location in cold[["sku", "location"]].itertuples(index=False):
        cat = category.get(sku)
        keyvals = {"category": cat, "location": location}
        frame = None
        used = "none"
        for name, keys in levels:
            if any(pd.isna(keyvals[k]) for k in keys):
                continue
            key = tuple(keyvals[k] for k in keys)
            try:
                frame = (
                    means[name].xs(key, level=tuple(keys))
                    if len(keys) > 1
                    else means[name].xs(key[0], level=keys[0])
                )
            except KeyError:
                continue
            used = name
            break
        if frame is None and not overall.empty:
            frame, used = overall, "all series"
        own_level = float(own_means.get((sku, location), 0.0)) if own_means is not None else 0.0
        if frame is None:
            frame = pd.DataFrame({c: own_level for c in value_columns}, index=horizon_dates)
            used = "own history"
        frame = frame.reindex(horizon_dates).fillna(0.0)
        peer_level = float(frame["mean"].mean()) if "mean" in frame else 0.0
        if used != "own history" and own_level > 0:
            if peer_level > 0:
                frame = frame * (own_level / peer_level)
            else:
                frame = pd.DataFrame({c: own_level for c in value_columns}, index=horizon_dates)
            used += " (rescaled to own level)"
        if own_spread is not None and (sku, location) in own_spread.index:
            n, sd = own_spread.loc[(sku, location), ["n", "sd"]]
            frame = widen_to_sample_band(frame, int(n), float(sd))
        part = frame.reset_index(drop=True)
        part.insert(0, "date", horizon_dates)
        part.insert(0, "location", location)
        part.insert(0, "sku", sku)
        part["profile"] = used
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=["sku", "location", "date", *value_columns, "profile"])
    return pd.concat(rows, ignore_index=True)


def widen_to_sample_band(frame: pd.DataFrame, n: int, sd: float) -> pd.DataFrame:
    """Widen the quantile columns (`pXX`) of `frame` to at least the Student-t prediction
    interval of one new value from a sample of `n` with standard deviation `sd` around the
    `mean` column: mean + t_{n-1}(q) * sd * sqrt(1 + 1/n), clipped at 0. Lower quantiles
    (q < 0.5) take the smaller, upper ones the larger value; p50 and frames without a
    `mean` column, n < 2 or sd not > 0 are returned unchanged. E.g. n = 3, sd = 2,
    mean 10: p90 at least 10 + 1.886 * 2 * sqrt(4/3) = 14.36.
    """
    if n < 2 or not np.isfinite(sd) or sd <= 0 or "mean" not in frame.columns:
        return frame
    out = frame.copy()
    half = sd * np.sqrt(1.0 + 1.0 / n)
    for column in frame.columns:
        if not (column.startswith("p") and column[1:].isdigit()):
            continue
        q = int(column[1:]) / 100.0
        if q == 0.5:
            continue
        bound = np.clip(frame["mean"] + float(student_t.ppf(q, n - 1)) * half, 0.0, None)
        out[column] = (
            np.minimum(frame[column], bound) if q < 0.5 else np.maximum(frame[column], bound)
        )
    return out
