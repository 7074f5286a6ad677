"""Demand over a time window from a probabilistic forecast (mean and quantiles per period).

A forecast row dated d with period length p days (the gap to the series' next forecast
date; daily forecasts have p = 1) is taken to cover the days [d, d + p), its demand spread
evenly over them. The demand of a window [as_of + start, as_of + start + length) is the sum
of the overlapping fractions of the rows. Per-row standard deviations come from the widest
symmetric pair of quantiles under a normal assumption, sd = (p_hi - p_lo) / (z_hi - z_lo);
rows are treated as independent, so variances add (a fraction f of a row carries f of its
variance). When the forecast ends before the window does, the missing days are filled with
the series' average forecast rate per day (mean and variance), and `extrapolated` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from replenishment.inputs import quantile_columns


@dataclass(frozen=True)
class ForecastRows:
    """Forecast rows prepared for window sums; arrays are aligned row by row.

    `series` indexes the planned series (0..n_series-1); `offset_days` is the row's start
    relative to as_of; `period_days` its length; `mean` and `variance` per row (units).
    """

    n_series: int
    series: np.ndarray
    offset_days: np.ndarray
    period_days: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    has_quantiles: bool

    @property
    def future(self) -> np.ndarray:
        """Rows that end after as_of."""
        return self.offset_days + self.period_days > 0


def row_standard_deviation(forecasts: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """Per-row demand sd from the widest symmetric quantile pair (normal assumption).

    Without a usable pair the sd is sqrt(mean) (Poisson) and the flag is False.
    """
    levels = quantile_columns(forecasts)
    pairs = [(lo, round(1 - lo, 2)) for lo in levels if lo < 0.5 and round(1 - lo, 2) in levels]
    mean = forecasts["mean"].to_numpy(dtype=float)
    if not pairs:
        return np.sqrt(np.maximum(mean, 0.0)), False
    lo, hi = pairs[0]
    spread = forecasts[levels[hi]].to_numpy(dtype=float) - forecasts[levels[lo]].to_numpy(dtype=float)
    sd = np.maximum(spread, 0.0) / (stats.norm.ppf(hi) - stats.norm.ppf(lo))
    sd = np.where(np.isnan(sd), np.sqrt(np.maximum(mean, 0.0)), sd)
    return sd, True


def prepare_rows(
    forecasts: pd.DataFrame, series: np.ndarray, n_series: int, as_of: pd.Timestamp
) -> ForecastRows:
    """Rows of normalized forecasts (sorted by key and date) mapped to series indices.

    Rows with series < 0 (no policy) are dropped.
    """
    keep = series >= 0
    frame = forecasts.loc[keep]
    codes = series[keep]
    day = (frame["date"] - as_of).dt.days.to_numpy(dtype=float)
    same_next = np.r_[codes[1:] == codes[:-1], False]
    gap = np.r_[np.diff(day), np.nan]
    period = np.where(same_next, gap, np.nan)
    # last row of a series: previous gap; single row: 1 day
    same_prev = np.r_[False, codes[1:] == codes[:-1]]
    prev_gap = np.r_[np.nan, np.diff(day)]
    period = np.where(np.isnan(period) & same_prev, prev_gap, period)
    period = np.where(np.isnan(period) | (period <= 0), 1.0, period)
    sd, has_quantiles = row_standard_deviation(frame)
    return ForecastRows(
        n_series=n_series,
        series=codes,
        offset_days=day,
        period_days=period,
        mean=np.maximum(frame["mean"].to_numpy(dtype=float), 0.0),
        variance=sd**2,
        has_quantiles=has_quantiles,
    )


@dataclass(frozen=True)
class WindowDemand:
    """Demand over a window per series: mean and variance (units, units^2)."""

    mean: np.ndarray
    variance: np.ndarray
    extrapolated: np.ndarray

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(self.variance)


def window_demand(rows: ForecastRows, start_days: np.ndarray, length_days: np.ndarray) -> WindowDemand:
    """Mean and variance of demand over [as_of + start, as_of + start + length) per series."""
    n = rows.n_series
    start = np.asarray(start_days, dtype=float)[rows.series]
    end = start + np.asarray(length_days, dtype=float)[rows.series]
    row_end = rows.offset_days + rows.period_days
    overlap = np.clip(np.minimum(row_end, end) - np.maximum(rows.offset_days, start), 0.0, None)
    fraction = overlap / rows.period_days
    mean = np.bincount(rows.series, weights=fraction * rows.mean, minlength=n)
    variance = np.bincount(rows.series, weights=fraction * rows.variance, minlength=n)
    covered = np.bincount(rows.series, weights=overlap, minlength=n)
    # fill days the forecast does not reach with the series' average rate after as_of
    future = rows.future
    future_days = np.bincount(rows.series[future], weights=rows.period_days[future], minlength=n)
    future_mean = np.bincount(rows.series[future], weights=rows.mean[future], minlength=n)
    future_var = np.bincount(rows.series[future], weights=rows.variance[future], minlength=n)
    horizon_end = np.full(n, -np.inf)
    np.maximum.at(horizon_end, rows.series, row_end)
    wanted_end = np.asarray(start_days, dtype=float) + np.asarray(length_days, dtype=float)
    missing = np.clip(wanted_end - np.maximum(horizon_end, np.asarray(start_days, dtype=float)), 0.0, None)
    missing = np.minimum(missing, np.asarray(length_days, dtype=float) - covered)
    missing = np.clip(missing, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_mean = np.where(future_days > 0, future_mean / future_days, 0.0)
        rate_var = np.where(future_days > 0, future_var / future_days, 0.0)
    return WindowDemand(
        mean=mean + missing * rate_mean,
        variance=variance + missing * rate_var,
        extrapolated=missing > 1e-9,
    )
