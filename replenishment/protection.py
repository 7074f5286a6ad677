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

from replenishment.inputs import ForecastTable


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
    cold_start: np.ndarray

    @property
    def future(self) -> np.ndarray:
        """Rows that end after as_of."""
        return self.offset_days + self.period_days > 0

    def series_rates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per series: forecast end (days after as_of; -inf without rows), and the average
        mean and variance per day over the rows after as_of (0 without such rows)."""
        n = self.n_series
        row_end = self.offset_days + self.period_days
        horizon_end = np.full(n, -np.inf)
        if len(self.series):
            last = np.r_[self.series[1:] != self.series[:-1], True]  # rows sorted by series, date
            horizon_end[self.series[last]] = row_end[last]
        future = self.future
        days = np.bincount(self.series[future], weights=self.period_days[future], minlength=n)
        mean = np.bincount(self.series[future], weights=self.mean[future], minlength=n)
        var = np.bincount(self.series[future], weights=self.variance[future], minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_mean = np.where(days > 0, mean / days, 0.0)
            rate_var = np.where(days > 0, var / days, 0.0)
        return horizon_end, rate_mean, rate_var


def row_standard_deviation(
    mean: np.ndarray, quantiles: dict[float, np.ndarray]
) -> tuple[np.ndarray, bool]:
    """Per-row demand sd from the widest symmetric quantile pair (normal assumption).

    Without a usable pair the sd is sqrt(mean) (Poisson) and the flag is False.
    """
    pairs = [
        (lo, round(1 - lo, 2))
        for lo in sorted(quantiles)
        if lo < 0.5 and round(1 - lo, 2) in quantiles
    ]
    if not pairs:
        return np.sqrt(np.maximum(mean, 0.0)), False
    lo, hi = pairs[0]
    spread = quantiles[hi] - quantiles[lo]
    sd = np.maximum(spread, 0.0) / (stats.norm.ppf(hi) - stats.norm.ppf(lo))
    sd = np.where(np.isnan(sd), np.sqrt(np.maximum(mean, 0.0)), sd)
    return sd, True


def prepare_rows(
    table: ForecastTable, series: np.ndarray, n_series: int, as_of: pd.Timestamp
) -> ForecastRows:
    """Forecast rows mapped to series indices (`series[i]` for row i; < 0 = not planned),
    sorted by series and date."""
    keep = np.flatnonzero(series >= 0)
    day_all = (table.date[keep] - np.datetime64(as_of.to_datetime64(), "ns")) / np.timedelta64(
        1, "D"
    )
    order = np.lexsort((day_all, series[keep]))
    rows = keep[order]
    codes = series[rows]
    day = day_all[order].astype(float)
    same_next = np.r_[codes[1:] == codes[:-1], False]
    gap = np.r_[np.diff(day), np.nan]
    period = np.where(same_next, gap, np.nan)
    # last row of a series: previous gap; single row: 1 day
    same_prev = np.r_[False, codes[1:] == codes[:-1]]
    prev_gap = np.r_[np.nan, np.diff(day)]
    period = np.where(np.isnan(period) & same_prev, prev_gap, period)
    period = np.where(np.isnan(period) | (period <= 0), 1.0, period)
    mean = table.mean[rows]
    sd, has_quantiles = row_standard_deviation(
        mean, {k: v[rows] for k, v in table.quantiles.items()}
    )
    return ForecastRows(
        n_series=n_series,
        series=codes,
        offset_days=day,
        period_days=period,
        mean=np.maximum(mean, 0.0),
        variance=sd**2,
        has_quantiles=has_quantiles,
        cold_start=table.cold_start[rows],
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


def window_demand(
    rows: ForecastRows,
    start_days: np.ndarray,
    length_days: np.ndarray,
    rates: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> WindowDemand:
    """Mean and variance of demand over [as_of + start, as_of + start + length) per series.

    `rates`: `rows.series_rates()` when already computed (saves work across windows).
    """
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
    horizon_end, rate_mean, rate_var = rates if rates is not None else rows.series_rates()
    start_arr = np.asarray(start_days, dtype=float)
    length_arr = np.asarray(length_days, dtype=float)
    missing = np.clip(start_arr + length_arr - np.maximum(horizon_end, start_arr), 0.0, None)
    missing = np.clip(np.minimum(missing, length_arr - covered), 0.0, None)
    return WindowDemand(
        mean=mean + missing * rate_mean,
        variance=variance + missing * rate_var,
        extrapolated=missing > 1e-9,
    )
