"""The forecast result and its column layout."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SELECTION_COLUMNS = (
    "sku",
    "location",
    "demand_class",
    "model",
    "mase",
    "cold_start",
    "adi",
    "cv2",
    "history_periods",
    "scores",
)


@dataclass(frozen=True)
class ForecastResult:
    """Output of `forecasting.forecast`.

    - `forecasts`: F.csv form, `sku, location, date, mean, p10, ..., model`: one row per
      series x horizon date; `mean` and quantiles in units per period (>= 0). With
      `forecast(..., cumulative_quantiles=True)` also `cum_p10, ...` before `model`: the
      quantiles of the series' total demand over forecast periods 1..k on its k-th row.
    - `selection`: per series `sku, location, demand_class, model, mase` (backtest MASE of
      the chosen model, NaN without a backtest), `cold_start` (bool), `adi`, `cv2`,
      `history_periods` (periods since the first sale), `scores` ("model=mase;..." for
      every candidate backtested).
    - `warnings`: human sentences about dropped features, filled gaps, clipped returns.
    """

    forecasts: pd.DataFrame
    selection: pd.DataFrame
    warnings: tuple[str, ...]
