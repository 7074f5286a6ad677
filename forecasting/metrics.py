"""Point and interval accuracy measures.

MASE and RMSSE follow Hyndman & Koehler (2006), "Another look at measures of forecast
accuracy", IJF 22(4): errors are scaled by the in-sample one-step seasonal-naive error of the
training data (mean absolute error for MASE, mean squared error for RMSSE, as in the M5
competition guidelines). WAPE = sum|y - yhat| / sum|y|. Bias = sum(yhat - y) / sum|y|
(positive = over-forecast). Coverage = share of actuals inside [lower, upper].
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def seasonal_naive_scale(train: npt.ArrayLike, season_length: int, *, power: int = 1) -> float:
    """Mean of |y_t - y_{t-m}|**power over the training data (m = season_length).

    Falls back to lag 1 when the series is shorter than one season plus one. Returns NaN when
    fewer than two observations exist.
    """
    y = np.asarray(train, dtype=float)
    lag = season_length if y.size > season_length else 1
    if y.size <= lag:
        return float("nan")
    diffs = np.abs(y[lag:] - y[:-lag]) ** power
    return float(diffs.mean())


def first_sale(train: npt.ArrayLike) -> int | None:
    """Position of the first sale (value > 0) in `train` (units per period), None when it
    never sold. E.g. (0, 0, 3, 0, 5) -> 2."""
    sold = np.flatnonzero(np.asarray(train, dtype=float) > 0)
    return int(sold[0]) if sold.size else None


def since_first_sale(train: npt.ArrayLike) -> FloatArray:
    """The periods of `train` (units per period, >= 0) from its first sale (value > 0) on,
    empty when none: the history a scale is measured on in the M5 competition guidelines
    ("the periods following the first non-zero demand observed"), so leading zeros (before
    the product sold) do not shrink it. E.g. (0, 0, 3, 0, 5) -> (3, 0, 5)."""
    y = np.asarray(train, dtype=float)
    start = first_sale(y)
    return y[start:] if start is not None else y[:0]


def mase(actual: npt.ArrayLike, forecast: npt.ArrayLike, scale: float) -> float:
    """Mean absolute scaled error: mean|y - yhat| / scale (scale from `seasonal_naive_scale`)."""
    err = np.abs(np.asarray(actual, float) - np.asarray(forecast, float)).mean()
    return _scaled(err, scale)


def rmsse(actual: npt.ArrayLike, forecast: npt.ArrayLike, scale_squared: float) -> float:
    """Root mean squared scaled error: sqrt(mean (y - yhat)^2 / scale_squared)."""
    err = ((np.asarray(actual, float) - np.asarray(forecast, float)) ** 2).mean()
    return float(np.sqrt(_scaled(err, scale_squared)))


def wape(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    """Weighted absolute percentage error, a fraction: sum|y - yhat| / sum|y|."""
    y = np.asarray(actual, float)
    denominator = np.abs(y).sum()
    if denominator == 0:
        return float("nan")
    return float(np.abs(y - np.asarray(forecast, float)).sum() / denominator)


def bias(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    """Relative bias, a fraction: sum(yhat - y) / sum|y|; positive means over-forecasting."""
    y = np.asarray(actual, float)
    denominator = np.abs(y).sum()
    if denominator == 0:
        return float("nan")
    return float((np.asarray(forecast, float) - y).sum() / denominator)


def coverage(actual: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> float:
    """Share (0-1) of actuals with lower <= y <= upper."""
    y = np.asarray(actual, float)
    inside = (y >= np.asarray(lower, float)) & (y <= np.asarray(upper, float))
    return float(inside.mean()) if y.size else float("nan")


def _scaled(error: float, scale: float) -> float:
    if not np.isfinite(scale) or scale <= 0:
        return float("nan") if error > 0 or not np.isfinite(scale) else 0.0
    return float(error / scale)
