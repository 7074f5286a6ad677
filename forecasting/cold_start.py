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
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def profile_forecasts(
    cold: pd.DataFrame,
    warm_forecasts: pd.DataFrame,
    value_columns: list[str],
    horizon_dates: pd.DatetimeIndex,
    *,
    items: pd.DataFrame | None = None,
    own_means: pd.Series | None = None,
) -> pd.DataFrame:
    """Forecast rows for the `cold` series (`sku, location`).

    `warm_forecasts`: F-form rows (`sku, location, date` + `value_columns`) of warm series.
    `own_means`: mean units per period since the first sale per (sku, location); 0 or
    missing = never sold.
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
            if any(
                keyvals[k] is None or (isinstance(keyvals[k], float) and np.isnan(keyvals[k]))
                for k in keys
            ):
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
        if frame is None:
            level = float(own_means.get((sku, location), 0.0)) if own_means is not None else 0.0
            frame = pd.DataFrame({c: level for c in value_columns}, index=horizon_dates)
            used = "own history"
        frame = frame.reindex(horizon_dates).fillna(0.0)
        own_level = float(own_means.get((sku, location), 0.0)) if own_means is not None else 0.0
        peer_level = float(frame["mean"].mean()) if "mean" in frame else 0.0
        if used != "own history" and own_level > 0:
            if peer_level > 0:
                frame = frame * (own_level / peer_level)
            else:
                frame = pd.DataFrame({c: own_level for c in value_columns}, index=horizon_dates)
            used += " (rescaled to own level)"
        part = frame.reset_index(drop=True)
        part.insert(0, "date", horizon_dates)
        part.insert(0, "location", location)
        part.insert(0, "sku", sku)
        part["profile"] = used
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=["sku", "location", "date", *value_columns, "profile"])
    return pd.concat(rows, ignore_index=True)
