"""Rolling forecast origins for the models that are backtested outside statsforecast."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

import pandas as pd


class Origin(NamedTuple):
    """One backtest window: the last date before it (`cutoff`), the history up to it
    (`past`) and its rows (`window`: the `horizon` periods after the cutoff, only of the
    series that have history)."""

    cutoff: pd.Timestamp
    past: pd.DataFrame
    window: pd.DataFrame


def rolling_origins(
    train: pd.DataFrame, horizon: int, n_windows: int, step_size: int | None = None
) -> Iterator[Origin]:
    """The last `n_windows` windows of `horizon` periods of `train` (unique_id, ds, y, ...),
    origins `step_size` periods apart (default `horizon`: side by side), oldest first, as
    statsforecast's `cross_validation` places them over the frame's dates; windows before
    the first date or without rows are skipped."""
    dates = pd.DatetimeIndex(sorted(train["ds"].unique()))
    step = step_size or horizon
    for k in range(n_windows - 1, -1, -1):
        position = len(dates) - 1 - horizon - k * step
        if position < 0:
            continue
        cutoff, end = dates[position], dates[position + horizon]
        past = train[train["ds"] <= cutoff]
        window = train[(train["ds"] > cutoff) & (train["ds"] <= end)]
        window = window[window["unique_id"].isin(past["unique_id"].unique())]
        if not window.empty:
            yield Origin(cutoff, past, window)


def with_actuals(
    window: pd.DataFrame, pred: pd.DataFrame, cutoff: pd.Timestamp, column: str
) -> pd.DataFrame:
    """The rows of `window` (unique_id, ds, y) with the forecasts `pred` (unique_id, ds,
    `column`; NaN where it has none) and the origin: unique_id, ds, cutoff, y, `column`."""
    merged = window[["unique_id", "ds", "y"]].merge(pred, on=["unique_id", "ds"], how="left")
    merged["cutoff"] = cutoff
    return merged[["unique_id", "ds", "cutoff", "y", column]]


def backtest_by_origin(
    train: pd.DataFrame,
    horizon: int,
    n_windows: int,
    forecast_at: Callable[[pd.DataFrame], pd.DataFrame],
    column: str,
    *,
    step_size: int | None = None,
    ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of a forecaster outside statsforecast: at each origin of
    `rolling_origins`, `forecast_at(past)` (unique_id, ds, `column`) against the window's
    actuals (`with_actuals`), only for the series `ids` (None: all): unique_id, ds, cutoff,
    y, `column`."""
    wanted = None if ids is None else list(ids)
    parts = []
    for cutoff, past, window in rolling_origins(train, horizon, n_windows, step_size):
        rows = window if wanted is None else window[window["unique_id"].isin(wanted)]
        parts.append(with_actuals(rows, forecast_at(past), cutoff, column))
    if not parts:
        return pd.DataFrame(columns=["unique_id", "ds", "cutoff", "y", column])
    return pd.concat(parts, ignore_index=True)
