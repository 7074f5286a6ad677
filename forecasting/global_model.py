"""Global gradient-boosted model over all series (mlforecast + LightGBM).

One LightGBM regressor is trained on every series of a group at once (Januschowski et al.
2020, "Criteria for classifying forecasting methods", IJF 36(1), on global models; M5
winners used the same idea). Each series is standardised (mlforecast `LocalStandardScaler`)
so sizes pool; features: lags (1, 2 and one season, plus 2 seasons for daily data), rolling
means of lag 1 over one season and four seasons, calendar fields of the date, and the
numeric exogenous features of the frame (future values taken from the future frame).
Multi-step forecasts are recursive. Negative predictions are clipped at 0 by the caller.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

MODEL_NAME = "lightgbm"


def _week_of_year(dates: pd.DatetimeIndex) -> Any:
    return dates.isocalendar().week.to_numpy().astype(int)


def _mlforecast(freq: str, sf_freq: str, season_length: int) -> Any:
    from lightgbm import LGBMRegressor
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import LocalStandardScaler

    lags = sorted({1, 2, season_length} | ({2 * season_length} if freq == "D" else set()))
    date_features: list[Any] = {
        "D": ["dayofweek", "month", "day"],
        "W": [_week_of_year, "month"],
        "M": ["month"],
    }[freq]
    model = LGBMRegressor(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        n_jobs=1,
        verbosity=-1,
        random_state=0,
    )
    return MLForecast(
        models={MODEL_NAME: model},
        freq=sf_freq,
        lags=lags,
        lag_transforms={1: [RollingMean(window_size=season_length), RollingMean(window_size=4 * season_length)]},
        date_features=date_features,
        target_transforms=[LocalStandardScaler()],
    )


def global_cross_validation(
    train: pd.DataFrame, horizon: int, n_windows: int, *, freq: str, sf_freq: str, season_length: int
) -> pd.DataFrame:
    """Rolling-origin backtest (step = horizon): unique_id, ds, cutoff, y, lightgbm."""
    fcst = _mlforecast(freq, sf_freq, season_length)
    out = fcst.cross_validation(
        df=train, n_windows=n_windows, h=horizon, step_size=horizon, static_features=[], dropna=False
    )
    return out[["unique_id", "ds", "cutoff", "y", MODEL_NAME]]


def global_forecast(
    train: pd.DataFrame,
    horizon: int,
    *,
    freq: str,
    sf_freq: str,
    season_length: int,
    future: pd.DataFrame | None = None,
    predict_ids: Any = None,
) -> pd.DataFrame:
    """Fit on every series of `train`, forecast `horizon` periods: unique_id, ds, lightgbm.
    `predict_ids` limits the output to those series."""
    fcst = _mlforecast(freq, sf_freq, season_length)
    fcst.fit(train, static_features=[], dropna=False)
    kwargs: dict[str, Any] = {}
    if predict_ids is not None:
        kwargs["ids"] = list(predict_ids)
    if future is not None:
        x = future if predict_ids is None else future[future["unique_id"].isin(predict_ids)]
        kwargs["X_df"] = x
    return fcst.predict(h=horizon, **kwargs)
