"""Demand over a time window from a probabilistic forecast (mean and quantiles per period).

A forecast row dated d with period length p days (the gap to the series' next forecast
date; daily forecasts have p = 1) is taken to cover the days [d, d + p), its demand spread
evenly over them. The demand of a window [as_of + start, as_of + start + length) is the sum
of the overlapping fractions of the rows. A row's mean is read as at least max_q (1 - q) p_q,
the smallest mean a non-negative demand with its quantiles can have (`coherent_mean_floor`).
Per-row standard deviations come from the widest symmetric pair of quantiles under a normal
assumption, sd = (p_hi - p_lo) / (z_hi - z_lo).

Error correlation. The forecast errors of one series' rows are taken as equicorrelated with
correlation rho (`error_correlation`, default 1): a row's error is mostly an error of the
level the forecaster estimated at the forecast origin, and that error persists over every
period it forecasts. For a window covering fractions f_i of rows with sds sd_i:

    Var = (1 - rho) sum_i f_i sd_i^2 + rho (sum_i f_i sd_i)^2

(at f_i = 1 this is sum_i sd_i^2 + rho sum_{i != j} sd_i sd_j). rho = 0 is the independent
reading (variances add); rho = 1, the default, is the comonotone one: the sds add, so the
window's normal quantile is the sum of the rows' quantiles. It is the upper bound of the
spread for a given set of per-period quantiles. On the product forecaster's own forecasts
(forecasting.forecast, fast models, one backtest window; docs/replenishment.md) the
protection-interval demand at or below mu + 1.645 sigma (nominal 0.95, demand-weighted)
was 0.73 / 0.78 / 0.81 / 0.77 with rho = 0 and 0.82 / 0.91 / 0.97 / 0.97 with rho = 1 on
Stallion monthly / Walmart weekly / bike daily / bike hour-of-day daily: the errors
persist; on the daily sets rho = 1 overstates the spread (rho ~ 0.5 would match there).
rho = 1 also overstates the spread of rows whose errors are independent noise (e.g.
Poisson demand of slow movers forecast daily), which is the conservative side. Rows without
quantiles (sd = sqrt(mean), Poisson demand with a known mean) are independent whatever rho.
When the forecast ends before the window does, the missing days are filled with the
series' average forecast rate per day (mean, independent variance and shared sd), and
`extrapolated` says so.

Cumulative quantiles. When the forecast carries `cum_pNN` columns (on a series' k-th row,
the quantile of the series' total demand over its rows 1..k), a series whose first forecast
row starts exactly at as_of and whose every row has a usable symmetric cum pair is read from
them instead, with no correlation assumption (`error_correlation` is ignored for it). The
cumulative sd at a row's end is (cum_hi - cum_lo) / (z_hi - z_lo) for the widest pair (as for
the per-row sd), V_k = sd_k^2 is the variance of the demand over [as_of, end of row k), and:

- inside a row (a window ending mid-period on weekly or monthly rows) the variance is
  interpolated linearly between the previous row's end (0 at as_of) and this row's end, i.e.
  the row's step of variance V_k - V_{k-1} is taken to accrue evenly over its days, as its
  mean does;
- past the forecast's end E (days) the cumulative sd grows at its average rate per day,
  sd(t) = sd_E t / E (the missing days' sd adds to the known one, comonotone, as with the
  default rho = 1 on the other path); `extrapolated` says so;
- a window that does not start at as_of, [a, b), gets V(b) - V(a) (>= 0): the demand of
  [as_of, a) is taken independent of the window's (used only for the spoilage estimate; the
  lost-sales model reads its review cycle the same way, sigma_P^2 - sigma_L^2).

Series with no usable pair on some row, or whose first row is not dated as_of (the cum
values would then include demand before as_of, or miss the days up to the first row), keep
the per-row reading above; a frame can mix both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from replenishment.inputs import ForecastTable


@dataclass(frozen=True)
class ForecastRows:
    """Forecast rows prepared for window sums; arrays are aligned row by row.

    `series` indexes the planned series (0..n_series-1); `offset_days` is the row's start
    relative to as_of; `period_days` its length; `mean` per row (units). The row's variance
    sd^2 is split into a part independent of the other rows, `independent_variance`
    ((1 - rho) sd^2; sd^2 for rows without quantiles), and `shared_sd` (sqrt(rho) sd; 0
    without quantiles), the part perfectly correlated across the series' rows (units^2,
    units). Series read from cumulative quantiles (`cumulative`, one bool per series) have
    both at 0 and instead `cumulative_step`, the row's step of the cumulative variance
    V_k - V_{k-1} (units^2; 0 on the other series' rows).
    """

    n_series: int
    series: np.ndarray
    offset_days: np.ndarray
    period_days: np.ndarray
    mean: np.ndarray
    independent_variance: np.ndarray
    shared_sd: np.ndarray
    has_quantiles: bool
    cold_start: np.ndarray
    cumulative: np.ndarray
    cumulative_step: np.ndarray

    @property
    def future(self) -> np.ndarray:
        """Rows that end after as_of."""
        return self.offset_days + self.period_days > 0

    def series_rates(self) -> SeriesRates:
        """Per series: the forecast's end and average rates per day over the rows after
        as_of (see SeriesRates)."""
        n = self.n_series
        row_end = self.offset_days + self.period_days
        horizon_end = np.full(n, -np.inf)
        if len(self.series):
            last = np.r_[self.series[1:] != self.series[:-1], True]  # rows sorted by series, date
            horizon_end[self.series[last]] = row_end[last]
        future = self.future
        codes = self.series[future]

        def per_day(values: np.ndarray) -> np.ndarray:
            total = np.bincount(codes, weights=values[future], minlength=n)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(days > 0, total / days, 0.0)

        days = np.bincount(codes, weights=self.period_days[future], minlength=n)
        return SeriesRates(
            horizon_end=horizon_end,
            mean=per_day(self.mean),
            independent_variance=per_day(self.independent_variance),
            shared_sd=per_day(self.shared_sd),
            cumulative_variance=(
                np.bincount(self.series, weights=self.cumulative_step, minlength=n)
                if self.cumulative.any()
                else np.zeros(n)
            ),
        )


class SeriesRates(NamedTuple):
    """Per series: `horizon_end`, the forecast's end in days after as_of (-inf without
    rows), and per day over the rows after as_of (0 without such rows): `mean`,
    `independent_variance` and `shared_sd`; `cumulative_variance`, the variance of the
    demand over [as_of, horizon_end) for series read from cumulative quantiles (0 for the
    others)."""

    horizon_end: np.ndarray
    mean: np.ndarray
    independent_variance: np.ndarray
    shared_sd: np.ndarray
    cumulative_variance: np.ndarray


def row_standard_deviation(
    mean: np.ndarray, quantiles: dict[float, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row demand sd from the widest symmetric quantile pair (normal assumption), and
    per row whether it came from quantiles.

    Without a usable pair (none in the table, or NaN in the row) the sd is sqrt(mean)
    (Poisson) and the row's flag is False.
    """
    pairs = _symmetric_pairs(quantiles)
    poisson = np.sqrt(np.maximum(mean, 0.0))
    if not pairs:
        return poisson, np.zeros(len(mean), dtype=bool)
    sd = _pair_sd(quantiles, *pairs[0])
    from_quantiles = ~np.isnan(sd)
    return np.where(from_quantiles, sd, poisson), from_quantiles


def _pair_sd(quantiles: dict[float, np.ndarray], lo: float, hi: float) -> np.ndarray:
    """Normal sd (p_hi - p_lo) / (z_hi - z_lo) per row; NaN where either value is NaN."""
    spread = quantiles[hi] - quantiles[lo]
    # a spread within floating-point noise of the quantile arithmetic (e.g. 3.6e-15 on a
    # constant forecast of 10) is no spread: it would otherwise turn the "no uncertainty"
    # case (z = 0, S = mu) into the lost-sales solve's deterministic limit
    noise = 1e-9 * (np.abs(quantiles[hi]) + np.abs(quantiles[lo]) + 1.0)
    spread = np.where(np.abs(spread) <= noise, 0.0, spread)
    return np.asarray(np.maximum(spread, 0.0) / (special.ndtri(hi) - special.ndtri(lo)))


def prepare_rows(
    table: ForecastTable,
    series: np.ndarray,
    n_series: int,
    as_of: pd.Timestamp,
    error_correlation: float = 1.0,
) -> ForecastRows:
    """Forecast rows mapped to series indices (`series[i]` for row i; < 0 = not planned),
    sorted by series and date. `error_correlation` (rho in [0, 1]) is the correlation
    between the forecast errors of two rows of a series (module docstring); it does not
    apply to series read from cumulative quantiles."""
    if not 0.0 <= error_correlation <= 1.0:
        raise ValueError("error_correlation must be in [0, 1]")
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
    mean = np.maximum(table.mean[rows], coherent_mean_floor(table.quantiles, rows))
    pairs = _symmetric_pairs(table.quantiles)
    # only the widest pair sets the sd: gather just those two columns
    widest = {level: table.quantiles[level][rows] for level in (pairs[0] if pairs else ())}
    sd, from_quantiles = row_standard_deviation(mean, widest)
    rho = np.where(from_quantiles, error_correlation, 0.0)
    independent_variance = (1.0 - rho) * sd**2
    shared_sd = np.sqrt(rho) * sd
    cumulative = np.zeros(n_series, dtype=bool)
    step = np.zeros(len(rows))
    cum_pairs = _symmetric_pairs(table.cumulative_quantiles)
    if cum_pairs and len(rows):
        lo, hi = cum_pairs[0]
        cum_sd = _pair_sd(
            {lo: table.cumulative_quantiles[lo][rows], hi: table.cumulative_quantiles[hi][rows]},
            lo,
            hi,
        )
        # a series qualifies when its first row is dated as_of and no row lacks the pair
        unusable = np.bincount(codes, weights=np.isnan(cum_sd), minlength=n_series) > 0
        first = ~same_prev
        starts_at_as_of = np.zeros(n_series, dtype=bool)
        starts_at_as_of[codes[first]] = day[first] == 0.0
        cumulative = starts_at_as_of & ~unusable
        on_cumulative = cumulative[codes]
        variance = np.where(on_cumulative, cum_sd, 0.0) ** 2
        step = np.where(
            on_cumulative, variance - np.where(same_prev, np.r_[0.0, variance[:-1]], 0.0), 0.0
        )
        independent_variance = np.where(on_cumulative, 0.0, independent_variance)
        shared_sd = np.where(on_cumulative, 0.0, shared_sd)
    return ForecastRows(
        n_series=n_series,
        series=codes,
        offset_days=day,
        period_days=period,
        mean=np.maximum(mean, 0.0),
        independent_variance=independent_variance,
        shared_sd=shared_sd,
        has_quantiles=bool(pairs),
        cold_start=table.cold_start[rows],
        cumulative=cumulative,
        cumulative_step=step,
    )


def coherent_mean_floor(quantiles: dict[float, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Per row of `rows`, the smallest mean a non-negative demand with the row's quantiles
    can have: max over levels q of (1 - q) p_q (E[D] >= p_q P(D >= p_q) >= (1 - q) p_q);
    NaN quantiles are skipped; 0 without quantiles and on rows with a negative quantile (a
    plain normal band, not a non-negative demand: the bound does not apply to it).

    A forecast whose mean is below it contradicts its own band, e.g. a seasonal naive that
    copies last week's 0 with conformal quantiles p10 = p50 = 0, p90 = 3: its mean of 0 says
    no demand, its p90 says demand of 3 or more one day in ten. Read as 0, the mean would
    make a fill-rate target over that day ask for no safety stock at all.
    """
    floor = np.zeros(len(rows))
    negative = np.zeros(len(rows), dtype=bool)
    for level, values in quantiles.items():
        value = values[rows]
        negative |= value < 0
        floor = np.fmax(floor, np.where(np.isnan(value), 0.0, (1.0 - level) * value))
    return np.where(negative, 0.0, floor)


def _symmetric_pairs(quantiles: dict[float, np.ndarray]) -> list[tuple[float, float]]:
    """The symmetric quantile pairs (p_lo, p_{1-lo}) present, widest first."""
    return [
        (lo, round(1 - lo, 2))
        for lo in sorted(quantiles)
        if lo < 0.5 and round(1 - lo, 2) in quantiles
    ]


@dataclass(frozen=True)
class WindowDemand:
    """Demand over a window per series: mean and variance (units, units^2) under the rows'
    error correlation."""

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
    rates: SeriesRates | None = None,
) -> WindowDemand:
    """Mean and variance of demand over [as_of + start, as_of + start + length) per series:
    variance = sum f_i independent_variance_i + (sum f_i shared_sd_i)^2 over the rows'
    overlapping fractions f_i (module docstring); for series read from cumulative quantiles
    variance = sum f_i cumulative_step_i (the cumulative variance interpolated linearly
    within rows: V(end) - V(start)), extended past the forecast's end by sd(t) = sd_E t / E.

    `rates`: `rows.series_rates()` when already computed (saves work across windows).
    """
    n = rows.n_series
    start = np.asarray(start_days, dtype=float)[rows.series]
    end = start + np.asarray(length_days, dtype=float)[rows.series]
    row_end = rows.offset_days + rows.period_days
    overlap = np.clip(np.minimum(row_end, end) - np.maximum(rows.offset_days, start), 0.0, None)
    fraction = overlap / rows.period_days
    mean = np.bincount(rows.series, weights=fraction * rows.mean, minlength=n)
    variance = np.bincount(rows.series, weights=fraction * rows.independent_variance, minlength=n)
    shared = np.bincount(rows.series, weights=fraction * rows.shared_sd, minlength=n)
    covered = np.bincount(rows.series, weights=overlap, minlength=n)
    # fill days the forecast does not reach with the series' average rate after as_of
    rate = rates if rates is not None else rows.series_rates()
    start_arr = np.asarray(start_days, dtype=float)
    length_arr = np.asarray(length_days, dtype=float)
    missing = np.clip(start_arr + length_arr - np.maximum(rate.horizon_end, start_arr), 0.0, None)
    missing = np.clip(np.minimum(missing, length_arr - covered), 0.0, None)
    variance = (
        variance + missing * rate.independent_variance + (shared + missing * rate.shared_sd) ** 2
    )
    if rows.cumulative.any():
        # cumulative series (their rho terms above are 0, and these are 0 on the others):
        # V(b) - V(a) on the rows, plus V_E ((b / E)^2 - (c / E)^2) for the missing days
        # [c, b), c = max(start, E) (sd(t) = sd_E t / E past the end E)
        stepped = np.bincount(rows.series, weights=fraction * rows.cumulative_step, minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            edge = np.maximum(start_arr, rate.horizon_end)
            beyond = np.where(
                rows.cumulative & (missing > 0),
                rate.cumulative_variance * ((edge + missing) ** 2 - edge**2) / rate.horizon_end**2,
                0.0,
            )
        variance = variance + np.maximum(stepped + beyond, 0.0)
    return WindowDemand(
        mean=mean + missing * rate.mean,
        variance=variance,
        extrapolated=missing > 1e-9,
    )
