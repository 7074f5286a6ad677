"""Conformal quantiles from backtest errors.

Split-conformal idea (Vovk et al. 2005; as in statsforecast's ConformalIntervals): the
errors y - yhat of the chosen model in the rolling-origin backtest are a sample of its
out-of-sample errors. To pool series of different sizes, each error is divided by its
series' seasonal-naive MAE (the MASE scale).

Errors grow with the horizon step, so pooling all steps gives bands too wide at step 1 and
too narrow at the last step (under-covering overall, since the far steps miss most). Each
scaled error is therefore also divided by the spread of its step: the mean |scaled error|
at that step over all series, made non-decreasing in the step by isotonic regression
(errors of a longer look-ahead are not smaller; this also smooths steps with few errors).
The quantiles of these normalised errors, pooled per demand class, are multiplied back by
the step spread and the series scale and added to the point forecast (a locally weighted
split-conformal score, Lei et al. 2018, sec. 5.2, with the step as the covariate).
Quantiles use the finite-sample conformal rank ceil((n + 1) q) (Vovk et al. 2005;
Angelopoulos & Bates 2021, eq. 1). Demand quantiles are clipped at 0.

Errors of one backtest window are not independent: all series share its period (a level
shift, a season that sold differently), so a pool of many series but few windows holds
less information on the next window than its size suggests, and a tail quantile taken
from it under-covers when the windows differ. With two or more windows, each tail level is
therefore checked window by window: the level q' (moved towards the tail, never inwards)
is the least extreme one whose quantile, computed from the other windows, leaves out at
most the nominal share (q for a lower, 1 - q for an upper quantile) of the held-out
window's errors, pooled over the windows (a cross-validated level, as in cross-conformal
prediction, Vovk 2015, with the window as the exchangeable unit). Where the windows agree,
q' = q.

Volatility can be seasonal (e.g. weekly retail: the backtest windows just before a May
origin hold Thanksgiving-Christmas, the coming months are calmer). With seasonal
calibration (`ForecastConfig.seasonal_calibration`), backtest windows placed one season
back from the forecast origin (the same periods of the season as the horizon, and one
window either side, `seasonal_windows`) give the chosen model's errors too; they are pooled
with ("add") or used instead of ("replace") the recent selection windows' errors.

Short horizons: a few selection windows of a few periods each give few errors per step
(3 windows x 3 series = 9 at each step of a 4-day horizon), and the conformal tail quantile
of so few is their maximum, moved further out by the window check. With
`ForecastConfig.calibration_periods`, the chosen models are also backtested over extra
windows before the selection windows (`calibration_windows`) and their errors join the
pool.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression

MIN_POOL = 30
# Backtest origins from which a series' own errors set the width of its band
# (`interval_scales`): the short-horizon calibration windows give ~80 daily origins.
MIN_OWN_WINDOWS = 20
# Pool of errors a demand class falls back to when it has fewer than MIN_POOL errors itself:
# sparse demand (many zero periods, skewed errors) is not calibrated on continuous demand.
CLASS_GROUPS = {
    "smooth": "continuous",
    "erratic": "continuous",
    "intermittent": "sparse",
    "lumpy": "sparse",
}
LEVEL_STEPS = 41


def conformal_quantile(values: np.ndarray, q: float) -> float:
    """Finite-sample conformal quantile of `values` at level q (fraction in (0, 1)).

    Upper quantiles (q >= 0.5) take the k-th smallest value with k = ceil((n + 1) q);
    lower ones mirror it, the (n + 1 - ceil((n + 1)(1 - q)))-th smallest. Ranks beyond the
    sample are clipped to its extremes. E.g. n = 9, q = 0.9: k = 9, the maximum.
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    if ordered.size == 0:
        raise ValueError("conformal_quantile needs at least one value")
    return _sorted_conformal_quantile(ordered, q)


def _sorted_conformal_quantile(ordered: np.ndarray, q: float) -> float:
    """`conformal_quantile` of an already sorted, non-empty array."""
    n = ordered.size
    if q >= 0.5:
        k = math.ceil((n + 1) * q - 1e-9)
    else:
        k = n + 1 - math.ceil((n + 1) * (1 - q) - 1e-9)
    return float(ordered[min(max(k, 1), n) - 1])


def window_adjusted_level(z: np.ndarray, windows: np.ndarray, q: float) -> float:
    """Quantile level to use for nominal level q (fraction in (0, 1)) given errors `z`
    from several backtest `windows` (one label per error).

    For q < 0.5 (lower quantile) the candidate levels run from q down to q / 5 in
    LEVEL_STEPS steps (for q > 0.5 from q up to 1 - (1 - q) / 5); the first whose
    leave-one-window-out miss rate (share of each window's errors below the conformal
    quantile of the other windows' errors, pooled over windows) is <= the nominal tail
    share is returned; the most extreme candidate when none is. q = 0.5 and fewer than two
    windows return q unchanged. E.g. z = (0, 0, 10, 10) from windows (a, a, b, b), q = 0.9:
    window b's errors both exceed window a's quantile (0) at every level, a miss rate of
    2 / 4 > 0.1, so the result is the most extreme candidate, 0.98.
    """
    labels = np.unique(windows)
    if abs(q - 0.5) < 1e-12 or labels.size < 2:
        return q
    lower = q < 0.5
    tail = q if lower else 1.0 - q
    held_out = [np.sort(z[windows == w]) for w in labels]
    others = [np.sort(z[windows != w]) for w in labels]
    candidate = q
    for t in np.linspace(tail, tail / 5.0, LEVEL_STEPS):
        candidate = float(t if lower else 1.0 - t)
        missed = 0
        for rest, own in zip(others, held_out, strict=True):
            if rest.size == 0:
                continue
            bound = _sorted_conformal_quantile(rest, candidate)
            if lower:
                missed += int(np.searchsorted(own, bound, side="left"))
            else:
                missed += int(own.size - np.searchsorted(own, bound, side="right"))
        if missed <= tail * z.size + 1e-9:
            return candidate
    return candidate


def seasonal_windows(season: int, horizon: int, n_windows: int) -> tuple[int, int]:
    """Placement of the seasonal calibration windows: (`drop`, `count`) = backtest the
    history without its last `drop` periods over its last `count` windows of `horizon`
    periods (step = horizon). (0, 0) when there is none.

    With T the last history period, the candidate windows have cutoffs T - season + j *
    horizon for j = -1, 0, 1 (j = 0: the same periods of the season as the coming horizon,
    one season back; j = -1, 1: its neighbours). A window is kept only when it ends before
    the `n_windows` recent selection windows begin (end <= T - n_windows * horizon), so no
    period is counted twice; the kept windows are consecutive from j = -1. E.g. weekly,
    season 52, horizon 8, 3 windows: all three (drop 36, count 3: cutoffs T - 60, T - 52,
    T - 44); monthly, season 12, horizon 6, 3 windows: none (the recent windows already
    cover the last 18 months).
    """
    kept = [j for j in (-1, 0, 1) if season - (j + 1) * horizon >= n_windows * horizon]
    if horizon < 1 or not kept:
        return 0, 0
    return season - (max(kept) + 1) * horizon, len(kept)


SHORT_HORIZON = 7  # periods: shorter horizons get calibration origins one period apart


def calibration_windows(periods: int, horizon: int, n_windows: int) -> tuple[int, int, int]:
    """Placement of the extra calibration windows (`ForecastConfig.calibration_periods`):
    (`drop`, `count`, `step`) = backtest the history without its last `drop` periods over
    its last `count` windows of `horizon` periods whose origins are `step` periods apart.
    (0, 0, horizon) when the `n_windows` selection windows already cover `periods` periods.

    The extra windows end where the selection windows begin (`drop` = n_windows * horizon,
    no period counted twice) and with them cover at least `periods` periods: the windows
    span horizon + (count - 1) * step >= periods - drop periods. Horizons of SHORT_HORIZON
    periods or more get windows side by side (`step` = horizon); shorter ones an origin
    every period (`step` = 1, overlapping windows). A few short windows give few errors per
    step (e.g. 20 + 3 windows of 4 days x 3 series = 69), and the conformal tail quantile of
    so few is a far order statistic (rank 67 of 69 at 95%, a 97% level): bands wider than
    the errors (bike sharing with daily review, docs/replenishment.md). E.g. 91 periods,
    horizon 4, 3 windows: (12, 76, 1), cutoffs T - 91, T - 90, .., T - 16 (T the last history
    period); horizon 28, 1 window: (28, 3, 28); horizon 28, 4 windows: (0, 0, 28).
    """
    covered = n_windows * horizon
    if horizon < 1 or covered >= periods:
        return 0, 0, horizon
    step = 1 if horizon < SHORT_HORIZON else horizon
    return covered, max(1, math.ceil((periods - covered - horizon) / step) + 1), step


def step_spreads(steps: np.ndarray, abs_errors: np.ndarray, horizon: int) -> np.ndarray:
    """Spread per horizon step 1..`horizon`: mean |error| at each step, non-decreasing in
    the step (weighted isotonic regression). Steps without errors take the nearest earlier
    step's spread (or the first available); a zero spread becomes the overall mean |error|
    (or 1 when all errors are 0)."""
    frame = pd.DataFrame({"step": steps, "a": abs_errors})
    stats = frame.groupby("step")["a"].agg(["mean", "count"])
    stats = stats[(stats.index >= 1) & (stats.index <= horizon)]
    overall = float(np.mean(abs_errors)) if len(abs_errors) else 0.0
    fallback = overall if overall > 0 else 1.0
    if stats.empty:
        return np.full(horizon, fallback)
    fit = isotonic_regression(
        stats["mean"].to_numpy(), weights=stats["count"].to_numpy(dtype=float), increasing=True
    ).x
    spread = pd.Series(fit, index=stats.index).reindex(range(1, horizon + 1))
    spread = spread.ffill().bfill().to_numpy()
    return np.where(spread > 0, spread, fallback)


def scaled_error_quantiles(
    residuals: pd.DataFrame,
    scales: pd.Series,
    classes: pd.Series,
    quantiles: Sequence[float],
    horizon: int,
) -> dict[str, np.ndarray]:
    """Offsets (horizon steps x quantiles, in units of the series scale) per demand class,
    per class group of `CLASS_GROUPS` ("continuous", "sparse"), and key "*" for all
    classes; look one up with `offsets_for`.

    `residuals`: unique_id, step (1..horizon), y, yhat, optionally cutoff (the backtest
    window; with two or more, tail levels are adjusted by `window_adjusted_level`) and
    demand_class (the class the series had at that window's origin, which pools the error;
    where absent or NaN, `classes`); `scales`, `classes`: indexed by unique_id. A class or
    group with fewer than MIN_POOL errors is left out.
    """
    if residuals.empty:
        return {}
    ids = residuals["unique_id"]
    pooled_as = pd.Series(classes.reindex(ids).to_numpy(), index=residuals.index)
    if "demand_class" in residuals.columns:
        pooled_as = residuals["demand_class"].fillna(pooled_as)
    with np.errstate(divide="ignore", invalid="ignore"):  # scale 0: left out just below
        scaled = (residuals["y"] - residuals["yhat"]).to_numpy() / scales.reindex(ids).to_numpy()
    frame = pd.DataFrame(
        {
            "cls": pooled_as.to_numpy(),
            "step": residuals["step"].to_numpy(),
            "e": scaled,
            "window": (
                pd.factorize(residuals["cutoff"])[0]
                if "cutoff" in residuals.columns
                else np.zeros(len(residuals), dtype=int)
            ),
        }
    )
    frame = frame[np.isfinite(frame["e"])]
    if frame.empty:  # every error left out (band scale 0: series that repeat exactly)
        return {"*": np.zeros((horizon, len(quantiles)))}
    spread = step_spreads(frame["step"].to_numpy(), frame["e"].abs().to_numpy(), horizon)
    step_index = np.clip(frame["step"].to_numpy(), 1, horizon) - 1
    frame = frame.assign(z=frame["e"].to_numpy() / spread[step_index])

    def offsets(z: np.ndarray, windows: np.ndarray) -> np.ndarray:
        qz = np.array(
            [conformal_quantile(z, window_adjusted_level(z, windows, q)) for q in quantiles]
        )
        return spread[:, None] * qz[None, :]

    out: dict[str, np.ndarray] = {"*": offsets(frame["z"].to_numpy(), frame["window"].to_numpy())}
    for pools in (frame["cls"], frame["cls"].map(CLASS_GROUPS)):  # classes, then groups
        for name, group in frame.groupby(pools):
            if len(group) >= MIN_POOL:
                out[str(name)] = offsets(group["z"].to_numpy(), group["window"].to_numpy())
    return out


def interval_scales(
    scales: pd.Series,
    residuals: pd.DataFrame,
    min_windows: int = MIN_OWN_WINDOWS,
    repeating: pd.Index | None = None,
) -> pd.Series:
    """The scale each series' backtest errors are divided by before pooling, and its pooled
    offsets multiplied back with: its seasonal-naive MAE (`scales`, indexed by unique_id),
    or, for a series whose chosen model was backtested at `min_windows` or more origins
    (`residuals`: unique_id, cutoff, y, yhat), that model's own mean |error| over them.

    The seasonal-naive MAE puts series of different sizes on one footing, but not series on
    which the model is more or less skilled: pooled, a series the model forecasts well (a
    system total with the weather known) gets the band of one it forecasts badly (the
    weather-driven casual riders), and the other way round. With many origins per series
    the model's own error is a stable scale of its own (a locally weighted conformal score,
    Lei et al. 2018, sec. 5.2, with a per-series spread). A series whose own errors are all
    0 keeps its seasonal-naive MAE.

    `repeating`: series whose seasonal-naive MAE is 0 (every period equals the one a season
    earlier: a constant, an exact weekly pattern), for which `scales` holds a fallback (their
    mean). Their scale is their chosen model's own mean |error| over however many origins
    it was backtested at, 0 when it had none or made none: the band of a series the history
    shows no variation in is as narrow as its own errors, not the pooled errors of other
    series times its level (a constant 50 a day got p90 = 78).
    """
    out = scales.astype(float).copy()
    repeating = out.index.intersection(repeating if repeating is not None else [])
    out.loc[repeating] = 0.0
    if residuals.empty:
        return out
    own = (
        pd.DataFrame(
            {
                "unique_id": residuals["unique_id"].to_numpy(),
                "cutoff": (residuals["cutoff"].to_numpy() if "cutoff" in residuals.columns else 0),
                "a": (residuals["y"] - residuals["yhat"]).abs().to_numpy(dtype=float),
            }
        )
        .dropna(subset=["a"])
        .groupby("unique_id")
        .agg(windows=("cutoff", "nunique"), mae=("a", "mean"))
    )
    many = own.index[(own["windows"] >= min_windows) & (own["mae"] > 0)]
    if "cutoff" not in residuals.columns:
        many = many[:0]  # origins unknown: only the repeating series take their own error
    for ids in (own.index.intersection(repeating), many.intersection(out.index)):
        out.loc[ids] = own.loc[ids, "mae"].to_numpy()
    return out


def offsets_for(offsets: dict[str, np.ndarray], demand_class: str) -> np.ndarray:
    """The offsets of `demand_class`, else of its group in `CLASS_GROUPS`, else "*"."""
    if demand_class in offsets:
        return offsets[demand_class]
    group = CLASS_GROUPS.get(demand_class)
    if group is not None and group in offsets:
        return offsets[group]
    return offsets["*"]


def class_offset_table(
    offsets: dict[str, np.ndarray], classes: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """Offsets per forecast row (rows x quantiles): row i gets `offsets_for(offsets,
    classes[i])` at its horizon step `steps[i]` (1-based). One lookup per class, not per
    row."""
    table = np.empty((len(classes), next(iter(offsets.values())).shape[1]))
    codes, uniques = pd.factorize(classes, use_na_sentinel=False)
    for code, demand_class in enumerate(uniques):
        rows = codes == code
        table[rows] = offsets_for(offsets, demand_class)[steps[rows] - 1]
    return table


def apply_quantiles(point: np.ndarray, scale: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Quantile forecasts (rows x quantiles) = point + scale * offset, clipped at 0 and
    sorted along the quantile axis so they never cross."""
    values = point[:, None] + scale[:, None] * offsets
    return np.sort(np.clip(values, 0.0, None), axis=1)


def zero_inflated_floor(
    values: np.ndarray,
    quantiles: Sequence[float],
    zero_periods: np.ndarray,
    periods: np.ndarray,
    *,
    recent_zero_periods: np.ndarray | None = None,
    recent_periods: np.ndarray | None = None,
) -> np.ndarray:
    """Set quantile forecasts (rows x quantiles) to 0 where the row's own demand says the
    q-quantile is 0: demand is never negative, so with P(demand = 0) >= q the q-quantile is
    0. P(demand = 0) is estimated from the row's `periods` since its first sale, of which
    `zero_periods` had no sale, with the same finite-sample conformal rank as
    `conformal_quantile`: the q-quantile is 0 when the rank-k smallest of the n periods is
    a zero period (k = ceil((n + 1) q) for q >= 0.5, n + 1 - ceil((n + 1)(1 - q)) below),
    i.e. q <= z / (n + 1) for upper and q < (z + 1) / (n + 1) for lower quantiles (and
    every level when all n periods are zero).

    A few periods are weak evidence, so this moves both tails outwards compared with the
    plain share z / n: a series that sold once and then not in 10 periods (z = 10, n = 11,
    share 0.91) keeps a positive p90 (rank 11, its sale) and has p10 = p50 = 0; one zero
    in 11 periods already gives p10 = 0 (rank 1, the minimum). Rows with n = 0 are left
    unchanged.

    With `recent_zero_periods` / `recent_periods` (the last periods of the history, e.g. the
    span the conformal errors come from) a quantile is 0 only where the recent periods say
    so too: a series that sold on a few days a year and now sells every day keeps its band
    (it got p10 = p50 = p90 = 0 under a mean of 120 from the whole history's zero share).
    A row without recent periods is judged on the whole history alone.
    """
    out = np.array(values, dtype=float, copy=True)
    floored = _zero_quantiles(quantiles, zero_periods, periods)
    if recent_zero_periods is not None and recent_periods is not None:
        recent = _zero_quantiles(quantiles, recent_zero_periods, recent_periods)
        judged = (np.asarray(recent_periods, dtype=float) > 0)[:, None]
        floored &= recent | ~judged
    out[floored] = 0.0
    return out


def _zero_quantiles(
    quantiles: Sequence[float], zero_periods: np.ndarray, periods: np.ndarray
) -> np.ndarray:
    """Rows x quantiles: True where `zero_periods` of `periods` put the quantile at 0 (the
    rule of `zero_inflated_floor`)."""
    zeros = np.asarray(zero_periods, dtype=float)
    n = np.asarray(periods, dtype=float)
    out = np.zeros((zeros.size, len(quantiles)), dtype=bool)
    for j, q in enumerate(quantiles):
        if q >= 0.5:
            floored = q <= zeros / (n + 1.0) + 1e-12
        else:
            floored = q < (zeros + 1.0) / (n + 1.0) - 1e-12
        out[:, j] = (n > 0) & (zeros > 0) & (floored | (zeros >= n))
    return out
