"""Quantiles of cumulative demand: the total over forecast periods 1..k of a series.

Replenishment protects against the demand of a whole lead time plus review period, i.e. the
sum of several forecast periods. Summing per-period quantiles (or per-period standard
deviations) treats the periods as perfectly correlated (comonotone), which over-states the
spread of the total when the errors of neighbouring periods partly cancel (daily data); it
is right only when they move together (e.g. a level error on monthly data). Here the total
is calibrated directly, by the same split-conformal method as the per-period quantiles
(`forecasting.intervals`), on *cumulative* backtest errors: for each series and backtest
window, E_k = sum_{j<=k} (y_j - yhat_j) (units), the error of the forecast total over
steps 1..k. These are pooled exactly like the per-step errors (divided by the series scale
and by a spread per k, pooled per demand class with the same fallbacks, finite-sample
conformal rank, window-adjusted tail level), so whatever correlation the errors of one
window have across steps, the pool reflects it.

The cumulative quantile at step k is sum_{j<=k} point_j + scale * offset_k, clipped at 0,
sorted across levels (never crossing) and made non-decreasing in k by a running maximum
(demand is never negative, so the total of more periods is not smaller).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecasting.intervals import scaled_error_quantiles
from forecasting.quantiles import quantile_column

CUMULATIVE_PREFIX = "cum_"


def cumulative_column(q: float) -> str:
    """Column name of the cumulative quantile `q` (a fraction): 0.1 -> `cum_p10`."""
    return CUMULATIVE_PREFIX + quantile_column(q)


def cumulative_residuals(residuals: pd.DataFrame) -> pd.DataFrame:
    """Backtest residuals (unique_id, step, y, yhat, optionally cutoff) turned into
    cumulative ones: on the row of step k, y and yhat are the sums over steps 1..k of the
    same series and backtest window (`cutoff`; without that column each unique_id is one
    window), so y - yhat is the cumulative error E_k (units).

    Only steps reached without a gap from step 1 are kept (a window missing step 2 keeps
    its step 1 only; a repeated step ends the run), so E_k is always a sum over exactly k
    periods. A NaN y or yhat makes that step and every later step of the window NaN, which
    `scaled_error_quantiles` leaves out. Returns unique_id, step, y, yhat (+ cutoff, +
    demand_class: the class at the window's origin, when `residuals` has it).
    """
    keys = ["unique_id", "cutoff"] if "cutoff" in residuals.columns else ["unique_id"]
    kept = [*keys, "step", "y", "yhat"] + (
        ["demand_class"] if "demand_class" in residuals.columns else []
    )
    frame = residuals[kept].sort_values([*keys, "step"], kind="stable")
    frame = frame.reset_index(drop=True)
    grouped = frame.groupby(keys, sort=False)
    contiguous = frame["step"].to_numpy() == grouped.cumcount().to_numpy() + 1
    # a run from step 1: every earlier row of the window is contiguous too
    in_run = pd.Series(contiguous).groupby([frame[k] for k in keys], sort=False).cummin()
    frame = frame[in_run.to_numpy()].reset_index(drop=True)
    labels = [frame[k] for k in keys]
    for column in ("y", "yhat"):
        values = frame[column].astype(float)
        total = values.fillna(0.0).groupby(labels, sort=False).cumsum()
        # a missing value makes this and the later totals unknown, not smaller
        unknown = values.isna().groupby(labels, sort=False).cummax().astype(bool)
        frame[column] = total.where(~unknown)
    return frame


def cumulative_error_quantiles(
    residuals: pd.DataFrame,
    scales: pd.Series,
    classes: pd.Series,
    quantiles: Sequence[float],
    horizon: int,
) -> dict[str, np.ndarray]:
    """Offsets (k = 1..horizon x quantiles, in units of the series scale) of the total
    demand over forecast steps 1..k, per demand class, class group and "*" (look one up
    with `forecasting.intervals.offsets_for`); same arguments as `scaled_error_quantiles`.

    The per-step method applied to the cumulative errors E_k of `cumulative_residuals`:
    E_k / series scale, divided by the spread of k (mean |scaled E_k| over series and
    windows, non-decreasing in k by isotonic regression: `step_spreads`), pooled per demand
    class (fallbacks `CLASS_GROUPS`, then all, below MIN_POOL errors), conformal quantile at
    the `window_adjusted_level`, times the spread of k.

    Assumption: the pooled values of different k from one series and window are correlated
    (E_2 contains E_1), so a pool holds less information than its size suggests. This is
    accepted, as for the per-step pool (whose steps of one window are correlated too); the
    window-by-window check of the tail levels is what guards against windows that differ.
    With persistent (level) errors the spread grows like k, with independent errors like
    sqrt(k); the pool follows whichever the backtest shows.
    """
    return scaled_error_quantiles(
        cumulative_residuals(residuals), scales, classes, quantiles, horizon
    )


def running_sums(values: np.ndarray, series: np.ndarray) -> np.ndarray:
    """Cumulative sums down the rows (rows x columns) within each `series` label; rows must
    be in date order within a series. The comonotone total: summing the q-quantiles of the
    periods is the q-quantile of their total when the periods are perfectly correlated; with
    less correlated periods the total's band is narrower (e.g. for normal errors), so this
    is the conservative reading."""
    frame = pd.DataFrame(np.asarray(values, dtype=float))
    return frame.groupby(np.asarray(series), sort=False).cumsum().to_numpy()


def monotone_cumulative(values: np.ndarray, series: np.ndarray) -> np.ndarray:
    """Cumulative quantiles (rows x levels, levels ascending, rows in date order within a
    `series` label) made valid: clipped at 0, sorted across levels per row (no crossing),
    then a running maximum down the rows of each series per level (a total over more
    periods is never smaller). The running maximum keeps the rows sorted: each level's
    maximum is over the same rows and every row is sorted."""
    clipped = np.sort(np.clip(np.asarray(values, dtype=float), 0.0, None), axis=1)
    frame = pd.DataFrame(clipped)
    return frame.groupby(np.asarray(series), sort=False).cummax().to_numpy()
