"""Conformal quantiles from backtest errors.

Split-conformal idea (Vovk et al. 2005; as in statsforecast's ConformalIntervals): the
errors y - yhat of the chosen model in the rolling-origin backtest are a sample of its
out-of-sample errors. To pool series of different sizes, each error is divided by its
series' seasonal-naive MAE (the MASE scale); the empirical quantiles of the scaled errors,
pooled per demand class, are multiplied back by the series scale and added to the point
forecast. Demand quantiles are clipped at 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

MIN_POOL = 30


def scaled_error_quantiles(
    residuals: pd.DataFrame,
    scales: pd.Series,
    classes: pd.Series,
    quantiles: Sequence[float],
) -> dict[str, np.ndarray]:
    """Quantiles of (y - yhat) / scale per demand class, plus key "*" for all classes.

    `residuals`: unique_id, y, yhat; `scales`, `classes`: indexed by unique_id. A class with
    fewer than MIN_POOL errors is left out (callers fall back to "*").
    """
    if residuals.empty:
        return {}
    ids = residuals["unique_id"]
    scaled = (residuals["y"] - residuals["yhat"]) / scales.reindex(ids).to_numpy()
    frame = pd.DataFrame({"cls": classes.reindex(ids).to_numpy(), "e": scaled.to_numpy()})
    frame = frame[np.isfinite(frame["e"])]
    q = np.asarray(quantiles, dtype=float)
    out: dict[str, np.ndarray] = {}
    if len(frame) >= 1:
        out["*"] = np.quantile(frame["e"].to_numpy(), q)
    for name, group in frame.groupby("cls"):
        if len(group) >= MIN_POOL:
            out[str(name)] = np.quantile(group["e"].to_numpy(), q)
    return out


def apply_quantiles(point: np.ndarray, scale: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Quantile forecasts (rows x quantiles) = point + scale * offset, clipped at 0 and
    sorted along the quantile axis so they never cross."""
    values = point[:, None] + scale[:, None] * offsets
    return np.sort(np.clip(values, 0.0, None), axis=1)
