"""Level shifts at the end of a history: a series whose last periods all sell far above
what it sold before starts again from the shift.

A product relisted or newly distributed at a location can jump from a few units a period
to hundreds (Stallion, SKU_04 at Agency_40: ~2 units a month for four years, then 289 and
353). Every model fitted on the whole history lags such a shift: LightGBM's per-series
standardisation is set by the years before it (it forecast ~50), and the ensemble of the
candidates that backtested best before the shift forecast ~200; sales were 473-759. The
periods before the shift say nothing of the new level, so the series restarts: its
history is cut at the shift and it is forecast as a launch (`forecasting.cold_start`: its
own level since the restart, with the spread of the history's launches; here 227-389 a
month, band 57-683) until it has `min_history` periods at the new level, then by the
models on those periods alone, for two seasons after the shift (a seasonal model's
history); then the whole history counts again.

A restart needs every one of the last `min_periods` or more periods (at most two seasons
back) to sell more than `factor` times the second-largest sale before them (one earlier
spike does not hide a shift), after at least a season of selling (a launch's ramp-up is
not a shift). The factor is large so that a promotion or a
season's peak does not trigger it: over the last 30 weekly origins of all 2,660 Walmart
series nothing restarts; over the last 24 monthly origins of Stallion's 350 series, four
series (SKU_04 / Agency_40 from 2016-11; SKU_03 / Agency_26, dormant for two years, from
2017-06; SKU_02 / Agency_18, ~2 a month then ~70 from 2014-05; SKU_03 / Agency_28, ~10
then 200-400 from 2014-02). Restarting for half a season only, the series went back to
its whole history 7 months after the jump (SKU_04 / Agency_40 at the fourth origin:
AutoETS on the whole history, 444 a month against 490-900; from the new level 429-681):
Stallion 350 over 4 windows 1.670 against 1.653 now. The engine applies it to weekly and
monthly data (on daily data a jump of a few days is an event or a promotion more often
than a new level).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.metrics import first_sale

# The last periods must sell more than this many times the second-largest earlier sale.
SHIFT_FACTOR = 5.0
# Periods at the new level before it counts (one period is a spike).
MIN_SHIFT_PERIODS = 2
# Seasons at the new level during which the series keeps restarting from the shift (a
# seasonal model's history); after them its whole history counts again.
MAX_SHIFT_SEASONS = 2


def restart_dates(
    train: pd.DataFrame,
    season_length: int,
    *,
    factor: float = SHIFT_FACTOR,
    min_periods: int = MIN_SHIFT_PERIODS,
    max_periods: int | None = None,
) -> pd.Series:
    """The first date of the new level of each series of `train` (unique_id, ds, y; dates
    ascending within a series) that shifted up at its end: unique_id -> date. The earliest
    period t among the last `max_periods` (default: MAX_SHIFT_SEASONS seasons, at least
    `min_periods`)
    such that every period from t on sells more than `factor` x the second-largest sale
    before t (which must be positive) and the period before t does not, with at least
    `min_periods` periods from t on and at least `season_length` periods from the series'
    first sale to t."""
    longest = max(max_periods or MAX_SHIFT_SEASONS * season_length, min_periods)
    out: dict[int, pd.Timestamp] = {}
    for uid, group in train.groupby("unique_id", sort=False):
        y = group["y"].to_numpy(dtype=float)
        n = y.size
        first = first_sale(y)
        if first is None:
            continue
        suffix_min = np.minimum.accumulate(y[::-1])[::-1]  # smallest from each t on
        # selling for a season before t: a launch's ramp-up is not a shift
        for t in range(max(first + season_length, n - longest), n - min_periods + 1):
            earlier = np.sort(y[:t])[-2]  # the second largest: one spike does not count
            # the shift starts at t: the period before is not at the new level
            if earlier > 0 and suffix_min[t] > factor * earlier >= y[t - 1]:
                out[int(uid)] = group["ds"].iloc[t]
                break
    return pd.Series(out, dtype="datetime64[ns]")


def cut_at_restarts(train: pd.DataFrame, restarts: pd.Series) -> pd.DataFrame:
    """`train` without the periods of each series before its restart date (`restarts`:
    unique_id -> date, from `restart_dates`)."""
    if restarts.empty:
        return train
    start = restarts.reindex(train["unique_id"]).to_numpy()
    keep = pd.isna(start) | (train["ds"].to_numpy() >= start)
    return train[keep].reset_index(drop=True)
