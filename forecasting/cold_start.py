"""Cold-start forecasts from a category/location profile.

A series with too little history gets, for every horizon date, the average forecast
(mean and each quantile) of its peers: the warm series of the same category at the same
location; failing that, the same category anywhere; then the same location; then all warm
series. Categories come from an optional `items` frame (`sku, category`).

A cold series that has sold already keeps its own level: each peer's forecast is divided
by its own mean over the horizon, their average (the profile: shape over time and relative
spread of the quantiles, each peer weighing the same whatever it sells) is multiplied by the
series' mean units per period since its first sale (sizes differ too much between products
to borrow; averaged in units, one peer a thousand times larger set a small series' shape and
gave it a +-1.5% band). A series that never sold gets the peers' absolute values. With no
warm series at all, the series' own mean is used (zero when it never sold).

Peers are mature products, so their relative spread understates how uncertain a level
estimated from a few periods is. A cold series with two or more periods since its first
sale therefore also gets the classical prediction interval for one new value of a sample
of n (Student t, n - 1 degrees of freedom): mean forecast +/- t_q * sd * sqrt(1 + 1/n),
with sd the sample standard deviation of its units per period since the first sale; each
quantile is the wider of the two (lower quantiles the lower, upper the higher, at least 0).

A cold series that sold in one period only (n = 1: no sample band, and peers' relative
spread around a single value) gets, where the history holds enough launches, quantiles
calibrated on them by replay (`launch_ratio_quantiles`): each warm series launched inside
the history (first sale after the history's first date; one whose first sale is that date
may be a mature product seen from the data's start) is replayed at age a periods after its
first sale with the same level rule (mean units per period over its first a periods), and
the ratio of its actual units k periods later to that level is recorded. Quantile q at step
k = own level x the conformal q-quantile of the ratios at (a, k), when that pool holds at
least `MIN_POOL` ratios; otherwise the rule above. Only a <= `MAX_CALIBRATED_AGE` (1) is
calibrated: replayed leave-one-launch-out on Stallion's 65 launches, the Student-t band
covers 0.77-0.80 at ages 2-5 with a lower interval score than the ratio band (0.89-0.91,
wider: the ratios' p10 is mostly 0, so only the upper tail misses), while at age 1 the
ratio band covers 0.88 where the rule above has no sample band.

A series observed for `min_history` periods or more without any sale (class "no_sales") is
not profiled: the engine forecasts it from the history's own never-sold series
(`never_sold_quantiles`), which is 0 (not selling) unless such series launched often.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from forecasting.intervals import MIN_POOL, conformal_quantile
from forecasting.quantiles import quantile_column

# MIN_POOL (the conformal pools' minimum, forecasting.intervals): fewest replayed launch
# ratios at an (age, step) for a calibrated cold-start quantile.
MAX_CALIBRATED_AGE = 1
"""Largest age (periods since the first sale) whose quantiles come from the launch replay."""


def profile_forecasts(
    cold: pd.DataFrame,
    warm_forecasts: pd.DataFrame,
    value_columns: list[str],
    horizon_dates: pd.DatetimeIndex,
    *,
    items: pd.DataFrame | None = None,
    own_means: pd.Series | None = None,
    own_spread: pd.DataFrame | None = None,
    launch_ratios: np.ndarray | None = None,
    quantiles: tuple[float, ...] = (),
) -> pd.DataFrame:
    """Forecast rows for the `cold` series (`sku, location`).

    `warm_forecasts`: F-form rows (`sku, location, date` + `value_columns`) of warm series.
    `own_means`: mean units per period since the first sale per (sku, location); 0 or
    missing = never sold.
    `own_spread`: `n` (periods since the first sale) and `sd` (sample standard deviation of
    units per period over them) per (sku, location); widens the quantiles (see above).
    `launch_ratios`: `launch_ratio_quantiles` for `quantiles` (fractions, columns `pNN`);
    replaces the quantiles of a cold series that sold for at most `MAX_CALIBRATED_AGE`
    periods where its (age, step) pool was large enough. Never changes the `mean` column.
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
    # each peer divided by its own mean forecast over the horizon: a peer selling a
    # thousand times more does not set the shape and relative spread of a small series
    shapes = _relative_to_own_level(warm, value_columns)
    shape_means = {
        name: shapes.groupby([*keys, "date"])[value_columns].mean() for name, keys in levels
    }
    shape_overall = shapes.groupby("date")[value_columns].mean()
    rows = []
    for sku, location in cold[["sku", "location"]].itertuples(index=False):
        cat = category.get(sku)
        keyvals = {"category": cat, "location": location}
        own_level = float(own_means.get((sku, location), 0.0)) if own_means is not None else 0.0
        # a series that sold: the peers' shape times its own level; never sold: their values
        pools, everyone = (shape_means, shape_overall) if own_level > 0 else (means, overall)
        frame = None
        used = "none"
        for name, keys in levels:
            if any(pd.isna(keyvals[k]) for k in keys):
                continue
            key = tuple(keyvals[k] for k in keys)
            try:
                frame = (
                    pools[name].xs(key, level=tuple(keys))
                    if len(keys) > 1
                    else pools[name].xs(key[0], level=keys[0])
                )
            except KeyError:
                continue
            used = name
            break
        if frame is None and not everyone.empty:
            frame, used = everyone, "all series"
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
            if launch_ratios is not None and own_level > 0 and n <= MAX_CALIBRATED_AGE:
                frame = calibrated_to_launches(frame, int(n), own_level, launch_ratios, quantiles)
        part = frame.reset_index(drop=True)
        part.insert(0, "date", horizon_dates)
        part.insert(0, "location", location)
        part.insert(0, "sku", sku)
        part["profile"] = used
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=["sku", "location", "date", *value_columns, "profile"])
    return pd.concat(rows, ignore_index=True)


def _relative_to_own_level(warm: pd.DataFrame, value_columns: list[str]) -> pd.DataFrame:
    """`warm` rows with `value_columns` divided by their series' mean forecast (`mean`)
    over the horizon; series forecast to sell nothing are left out (no shape)."""
    level = warm.groupby(["sku", "location"])["mean"].transform("mean")
    keep = (level > 0).to_numpy()
    out = warm.loc[keep].copy()
    out[value_columns] = out[value_columns].div(level[keep], axis=0)
    return out


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


def launch_ratio_quantiles(
    train: pd.DataFrame,
    warm_ids: pd.Index,
    min_history: int,
    horizon: int,
    quantiles: tuple[float, ...],
) -> np.ndarray:
    """Replayed cold-start ratio quantiles, shape (min_history - 1, horizon, len(quantiles)).

    `train`: `unique_id, ds, y` (gap-filled, units per period >= 0); `warm_ids`: the
    unique_ids with at least `min_history` periods since their first sale. Of those, the
    launches (first sale after the first `ds` of `train`) are replayed: at age a (periods
    since the first sale, counting it as 1) the level is the mean of y over the first a
    periods (> 0: the first one sold), and for step k = 1..horizon the ratio is
    y at age a + k over that level (unitless, >= 0; steps past the series' end are skipped).
    Entry [a - 1, k - 1, j] is `conformal_quantile` of the ratios at (a, k) for
    quantiles[j], NaN when fewer than `MIN_POOL` ratios exist; sorted along j.
    E.g. a launch selling 2 then 4 then 6: at a = 1 the ratios are 2 (k = 1) and 3 (k = 2);
    at a = 2 (level 3) the ratio at k = 1 is 2.
    """
    ages, steps = min_history - 1, horizon
    out = np.full((max(ages, 0), steps, len(quantiles)), np.nan)
    if ages <= 0 or train.empty or not len(warm_ids):
        return out
    uid = train["unique_id"].to_numpy()
    ds = train["ds"].to_numpy()
    same = uid[1:] == uid[:-1]
    if not ((uid[1:] >= uid[:-1]).all() and (ds[1:][same] > ds[:-1][same]).all()):
        train = train.sort_values(["unique_id", "ds"])  # prepare_inputs' train already is
        uid, ds = train["unique_id"].to_numpy(), train["ds"].to_numpy()
    y = train["y"].to_numpy(dtype=float)
    starts = np.flatnonzero(np.r_[True, uid[1:] != uid[:-1]])  # first row of each series
    ends = np.r_[starts[1:], len(uid)]
    sold_rows = np.flatnonzero(y > 0)
    if not sold_rows.size:
        return out
    # first row with a sale at or after each series' start (a sale only if before its end)
    first = sold_rows[np.minimum(np.searchsorted(sold_rows, starts), sold_rows.size - 1)]
    launched = (
        (first >= starts)
        & (first < ends)
        & (ds[first] > ds.min())
        & np.isin(uid[starts], np.asarray(warm_ids))
    )
    if not launched.any():
        return out
    first, ends = first[launched], ends[launched]
    rows = first[:, None] + np.arange(ages + steps)[None, :]  # ages 1..ages + steps
    units = np.where(rows < ends[:, None], y[np.minimum(rows, y.size - 1)], np.nan)
    levels = np.cumsum(np.nan_to_num(units[:, :ages]), axis=1) / np.arange(1, ages + 1)
    # column of age a + k (0-based a + k - 1) for every (a, k)
    columns = np.arange(1, ages + 1)[:, None] + np.arange(1, steps + 1)[None, :] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(
            levels[:, :, None] > 0, units[:, columns] / levels[:, :, None], np.nan
        )  # (series, ages, steps)
    for a in range(ages):
        for k in range(steps):
            pool = ratios[:, a, k]
            pool = pool[np.isfinite(pool)]
            if pool.size >= MIN_POOL:
                out[a, k] = np.sort([conformal_quantile(pool, q) for q in quantiles])
    return out


def calibrated_to_launches(
    frame: pd.DataFrame,
    n: int,
    level: float,
    launch_ratios: np.ndarray,
    quantiles: tuple[float, ...],
) -> pd.DataFrame:
    """Set the quantile columns of `frame` (one row per horizon step, in order) of a cold
    series sold for `n` periods with mean `level` units per period to `level` x the
    replayed ratio quantiles `launch_ratios[n - 1, step - 1]` (see
    `launch_ratio_quantiles`), on the steps whose pool was large enough (finite); other
    steps, n outside 1..len(launch_ratios), level <= 0 and the `mean` column are unchanged.
    """
    if level <= 0 or not 1 <= n <= launch_ratios.shape[0] or not quantiles:
        return frame
    table = launch_ratios[n - 1]
    rows = min(len(frame), table.shape[0])
    usable = np.isfinite(table[:rows]).all(axis=1)
    if not usable.any():
        return frame
    out = frame.copy()
    positions = np.flatnonzero(usable)
    for j, q in enumerate(quantiles):
        column = quantile_column(q)
        if column in out.columns:
            out.iloc[positions, out.columns.get_loc(column)] = level * table[positions, j]
    return out


def never_sold_quantiles(
    train: pd.DataFrame,
    min_history: int,
    horizon: int,
    span: int,
    quantiles: tuple[float, ...],
) -> np.ndarray:
    """Forecast of a series observed for `min_history` periods or more without any sale,
    replayed on the history's own never-sold series: shape (horizon, 1 + len(quantiles)),
    row k - 1 = (mean, quantiles...) of demand k periods ahead, in units per period.

    `train`: `unique_id, ds, y` (gap-filled from each series' first period to the last
    period T of the whole frame, units >= 0). Every origin t of the last `span` periods
    before T (T - span <= t < T) is replayed: each series that had been observed for at
    least `min_history` periods by t without selling gives, for each step k with t + k <= T,
    its units at t + k (0 unless it launched by then). Row k is the mean and the
    `conformal_quantile`s of those values, so a quantile is positive only where more than
    its tail share of such periods sold (p90 > 0 needs P(sale k periods ahead) > ~10%);
    sorted along the quantiles. A step with fewer than `MIN_POOL` values keeps the "not
    selling" forecast, 0. E.g. `min_history` 2, span 2, series A: 0, 0, 0, 5 and B: 0, 0,
    0, 0 (T = 3): step 1 pools origins 1 and 2: A 0, B 0 (t = 1), A 5, B 0 (t = 2).
    """
    out = np.zeros((horizon, 1 + len(quantiles)))
    if train.empty or horizon < 1 or span < 1:
        return out
    wide = train.pivot(index="unique_id", columns="ds", values="y").sort_index(axis=1)
    units = wide.to_numpy(dtype=float)  # NaN before a series' first period
    observed = np.cumsum(np.isfinite(units), axis=1)  # periods observed up to each column
    never_sold = np.cumsum(np.nan_to_num(units) > 0, axis=1) == 0  # no sale up to the column
    last = units.shape[1] - 1
    for k in range(1, horizon + 1):
        pool = [
            units[(observed[:, t] >= min_history) & never_sold[:, t], t + k]
            for t in range(max(last - span, 0), last - k + 1)
        ]
        values = np.concatenate(pool) if pool else np.empty(0)
        values = values[np.isfinite(values)]
        if values.size >= MIN_POOL:
            row = np.sort([conformal_quantile(values, q) for q in quantiles])
            out[k - 1] = [values.mean(), *row]
    return out
