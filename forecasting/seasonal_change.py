"""Level-adjusted seasonal naive: a statsforecast model for seasons longer than ETS models.

On weekly data (a 52-week year) statsforecast's AutoETS and AutoARIMA fit no season (ETS
models seasons of at most 24 periods; a 52-lag seasonal ARIMA costs ~0.6 s a series), so
the only yearly-seasonal candidate was SeasonalNaive, which copies last year's week and
ignores how this year runs against last year. This model adds the recent seasonal change to
it: with z_t = y_t - y_{t-m} (m = `season_length`) and c = the mean of the last `window`
changes (statsforecast's WindowAverage on z), i.e. the last `window` periods' mean minus the
same periods' mean a season earlier,

    yhat_{n+h} = y_{n+h-m} + c             for h <= m,
    yhat_{n+h} = yhat_{n+h-m} + c          for h > m (a season further, one more change).

Holidays that fall in the same week of the year (Thanksgiving, Christmas) come from last
year's week; the level from the change. A window of a quarter (default 13 periods) averages
out the single-week swings of a seasonal peak that came a week earlier or later than the
year before; exponential smoothing of the changes (AutoETS "ANN"), tried first, carried such
a swing into every week of the horizon (Walmart, 40 series, 3 windows of 8 weeks: MASE of
the selection 0.959 with SES, 0.906 / 0.887 with a 13 / 26-week mean; on all 2,660 series
0.799 / 0.794 / 0.804 over 3 windows, 0.886 / 0.887 / 0.894 over 6; docs/forecasting.md).

Like WindowAverage, the model has no intervals of its own: give it statsforecast
`ConformalIntervals` (`prediction_intervals`) to get them (forecasting.engine does for
`interval_method="model"`; the default conformal intervals come from the backtests).
Series with fewer than `season_length + MIN_CHANGES` periods have too few changes: the
model then forecasts the mean of the last `window` periods (WindowAverage on y, no season),
so a backtest window with short history still gets a forecast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from statsforecast.models import _TS, WindowAverage

MIN_CHANGES = 8  # seasonal changes (periods past the first season) needed to use them
DEFAULT_WINDOW = 13  # periods of seasonal change averaged (a quarter of a year of weeks)


class LevelAdjustedSeasonalNaive(_TS):
    """Last season's values plus the mean seasonal change of the last `window` periods.

    `season_length`: periods per season (52 for weekly data with a yearly season);
    `window`: changes averaged (fewer when the series has fewer); `min_changes`: changes
    needed to use them (else the mean of the last `window` periods). Follows statsforecast's
    model protocol (`fit` / `predict` / `forecast` / `forward`, `mean` and `lo-<level>` /
    `hi-<level>` keys), so StatsForecast and its cross-validation run it like their own
    models.
    """

    def __init__(
        self,
        season_length: int,
        window: int = DEFAULT_WINDOW,
        min_changes: int = MIN_CHANGES,
        alias: str = "LevelAdjustedSeasonalNaive",
        prediction_intervals: Any = None,
    ) -> None:
        if season_length < 1:
            raise ValueError("season_length must be >= 1")
        if window < 1:
            raise ValueError("window must be >= 1")
        self.season_length = season_length
        self.window = window
        self.min_changes = min_changes
        self.alias = alias
        self.prediction_intervals = prediction_intervals

    def _mean(self, y: np.ndarray, h: int) -> np.ndarray:
        m = self.season_length
        if y.size < m + max(self.min_changes, 1):
            return self._recent_mean(y, h)
        change = self._recent_mean(y[m:] - y[:-m], h)
        steps = np.arange(h)
        return y[y.size - m + steps % m] + seasonal_sums(change, m)

    def _recent_mean(self, values: np.ndarray, h: int) -> np.ndarray:
        """statsforecast's WindowAverage of the last `window` values (fewer when shorter)."""
        average = WindowAverage(window_size=min(self.window, values.size))
        return average.forecast(y=values, h=h)["mean"]

    def _wants_intervals(self, level: list[int] | None) -> bool:
        if level is None:
            return False
        if self.prediction_intervals is None:
            raise ValueError(
                "LevelAdjustedSeasonalNaive: pass prediction_intervals (ConformalIntervals)"
                " to compute intervals"
            )
        return True

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> LevelAdjustedSeasonalNaive:
        self._y = np.asarray(y, dtype=float)
        self._store_cs(y=self._y, X=X)
        return self

    def predict(
        self, h: int, X: np.ndarray | None = None, level: list[int] | None = None
    ) -> dict[str, np.ndarray]:
        if not hasattr(self, "_y"):
            raise RuntimeError("LevelAdjustedSeasonalNaive: call fit first")
        res = {"mean": self._mean(self._y, h)}
        if not self._wants_intervals(level):
            return res
        return self._add_predict_conformal_intervals(res, sorted(level or []))

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,
        X_future: np.ndarray | None = None,
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        if fitted:
            raise NotImplementedError("LevelAdjustedSeasonalNaive has no in-sample forecasts")
        y = np.asarray(y, dtype=float)
        res = {"mean": self._mean(y, h)}
        if not self._wants_intervals(level):
            return res
        return self._add_conformal_intervals(fcst=res, y=y, X=X, level=sorted(level or []))

    def forward(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,
        X_future: np.ndarray | None = None,
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        """The model has no fitted parameters: rolling forward is forecasting from `y`."""
        return self.forecast(y=y, h=h, X=X, X_future=X_future, level=level, fitted=fitted)


def seasonal_sums(values: np.ndarray, season_length: int) -> np.ndarray:
    """out[h] = values[h] + values[h - m] + values[h - 2m] + ... (m = season_length): the
    changes that separate step h from the last observed season."""
    out = np.asarray(values, dtype=float).copy()
    for step in range(season_length, out.size):
        out[step] += out[step - season_length]
    return out
