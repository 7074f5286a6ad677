"""Top-down forecasts: a group's total forecast, split by each series' recent share.

A location's monthly sales of one SKU are noisy; the SKU's total over all its locations is
much less so, and its level, trend and season can be estimated from it with far less noise
than from any one location. Top-down forecasting by proportions (Gross & Sohl 1990,
"Disaggregation methods to expedite product line forecasting", J. Forecasting 9(3);
Hyndman & Athanasopoulos, FPP3 §11.2) forecasts the total and gives each series its share:

1. The group total at every period: the sum of y over the group's series (e.g. all
   locations of an SKU) in the pool.
2. The total forecast by AutoETS with the season (statsforecast), or, where the season is
   longer than ETS models (weekly data, 52 periods), by the level-adjusted seasonal naive
   (`forecasting.seasonal_change`) once the total has a season and MIN_CHANGES periods.
3. Each series' share: its units over the last `share_periods` periods (default the
   horizon) divided by its group's total over the same periods (0 when the group sold
   nothing there).
4. Forecast = share x total forecast, per horizon period.

The share assumes the series follows its group's season and trend; what sets it apart
from its group is only its level, measured over the recent periods, so a location that
grew or shrank against its SKU keeps its new share. It is a candidate for smooth and
erratic series of weekly and monthly data (`forecasting.candidates`), "global" like
group_seasonal_ets: the group totals come from an `IndexPool` (every warm series of the
engine), and in a backtest from the pool's data up to each origin (no look-ahead). It has
no intervals of its own (the engine's conformal bands apply).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from statsforecast.models import AutoETS

from forecasting.candidates import MAX_ETS_SEASON
from forecasting.group_seasonal import IndexPool, pool_up_to
from forecasting.origins import backtest_by_origin
from forecasting.runner import Runner
from forecasting.seasonal_change import MIN_CHANGES, LevelAdjustedSeasonalNaive

MODEL_NAME = "top_down_share"
_TOTAL = "total"  # alias of the group total's model


def group_labels(unique_ids: pd.Series, groups: pd.Series | None) -> np.ndarray:
    """The group of each unique_id (`groups`: unique_id -> label; None, or an id without a
    label: one group for all, labelled "all")."""
    if groups is None:
        return np.full(len(unique_ids), "all", dtype=object)
    labels = groups.reindex(unique_ids.to_numpy()).astype(object).to_numpy()
    labels[pd.isna(labels)] = "all"
    return labels.astype(str)


def group_totals(history: pd.DataFrame, groups: pd.Series | None) -> pd.DataFrame:
    """Step 1: unique_id (the group label), ds, y = the sum of y of the group's series of
    `history` (unique_id, ds, y) at each date, dates ascending."""
    labelled = history.assign(group=group_labels(history["unique_id"], groups))
    totals = labelled.groupby(["group", "ds"], as_index=False)["y"].sum()
    return totals.rename(columns={"group": "unique_id"}).sort_values(["unique_id", "ds"])


def recent_shares(history: pd.DataFrame, groups: pd.Series | None, share_periods: int) -> pd.Series:
    """Step 3: unique_id -> its share (a fraction) of its group's units over the last
    `share_periods` dates of `history` (unique_id, ds, y); 0 where the group sold nothing
    there."""
    dates = np.sort(history["ds"].unique())
    recent = history[history["ds"] >= dates[max(0, len(dates) - share_periods)]]
    own = recent.groupby("unique_id")["y"].sum()
    label = pd.Series(group_labels(own.index.to_series(), groups), index=own.index)
    group_sum = own.groupby(label).transform("sum")
    share = (own / group_sum.where(group_sum > 0)).fillna(0.0)
    return share.reindex(history["unique_id"].unique(), fill_value=0.0)


def _total_model(totals: pd.DataFrame, season_length: int) -> object:
    """Step 2's model: AutoETS with the season where ETS models it, else the level-adjusted
    seasonal naive when the shortest total has a season and MIN_CHANGES periods, else
    AutoETS without a season."""
    if season_length <= MAX_ETS_SEASON:
        return AutoETS(season_length=season_length, alias=_TOTAL)
    if totals.groupby("unique_id").size().min() >= season_length + MIN_CHANGES:
        return LevelAdjustedSeasonalNaive(season_length=season_length, alias=_TOTAL)
    return AutoETS(season_length=1, alias=_TOTAL)


def top_down_forecast(
    train: pd.DataFrame,
    horizon: int,
    *,
    runner: Runner,
    sf_freq: str,
    season_length: int,
    pool: IndexPool | None = None,
    predict_ids: Iterable[int] | None = None,
    share_periods: int | None = None,
) -> pd.DataFrame:
    """Forecasts of `horizon` periods for the series of `train` (unique_id, ds, y, any
    feature columns, which are not used): unique_id, ds, top_down_share. The group totals
    and shares come from `pool` up to the last date of `train` (None: from `train`, one
    group); `predict_ids` limits the forecasts to those series; `share_periods` (periods,
    default `horizon`) is the span the shares are measured over."""
    source, groups = pool_up_to(train, pool)
    source = source[["unique_id", "ds", "y"]]
    totals = group_totals(source, groups)
    # the runner's series are numbered (its Dask path reads unique_id back as integers)
    codes, labels = pd.factorize(totals["unique_id"])
    total_forecast = runner.forecast(
        [_total_model(totals, season_length)],
        totals.assign(unique_id=codes),
        horizon,
        freq=sf_freq,
        season_length=season_length,
    )
    total_forecast["unique_id"] = labels[total_forecast["unique_id"].to_numpy()]
    shares = recent_shares(source, groups, share_periods or horizon)
    ids = train["unique_id"].unique() if predict_ids is None else np.asarray(list(predict_ids))
    ids = ids[np.isin(ids, train["unique_id"].unique())]
    frame = pd.DataFrame(
        {
            "unique_id": ids,
            "group": group_labels(pd.Series(ids), groups),
            "share": shares.reindex(ids, fill_value=0.0).to_numpy(),
        }
    )
    out = frame.merge(total_forecast.rename(columns={"unique_id": "group"}), on="group", how="left")
    out[MODEL_NAME] = np.clip(out["share"] * out[_TOTAL], 0.0, None)
    out = out.sort_values(["unique_id", "ds"], kind="stable")
    return out[["unique_id", "ds", MODEL_NAME]].reset_index(drop=True)


def top_down_cross_validation(
    train: pd.DataFrame,
    horizon: int,
    n_windows: int,
    *,
    runner: Runner,
    sf_freq: str,
    season_length: int,
    pool: IndexPool | None = None,
    step_size: int | None = None,
    predict_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest over the last `n_windows` windows of `horizon` periods of
    `train`, origins `step_size` periods apart (default `horizon`), totals and shares from
    the data (of `pool`) up to each origin: unique_id, ds, cutoff, y, top_down_share, for
    the series `predict_ids` (None: all of `train`)."""
    wanted = None if predict_ids is None else list(predict_ids)
    return backtest_by_origin(
        train,
        horizon,
        n_windows,
        lambda past: top_down_forecast(
            past,
            horizon,
            runner=runner,
            sf_freq=sf_freq,
            season_length=season_length,
            pool=pool,
            predict_ids=wanted,
        ),
        MODEL_NAME,
        step_size=step_size,
        ids=wanted,
    )
