"""Rolling forecast origins for the models that are backtested outside statsforecast."""

from __future__ import annotations

from collections.abc import Iterator
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
