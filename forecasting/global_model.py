"""Global gradient-boosted model over all series (mlforecast + LightGBM).

One LightGBM regressor is trained on every series of a group at once (Januschowski et al.
2020, "Criteria for classifying forecasting methods", IJF 36(1), on global models; M5
winners used the same idea). Each series is standardised (mlforecast `LocalStandardScaler`)
so sizes pool; features: lags (1, 2 and one season, plus 2 seasons for daily data), rolling
means of lag 1 over one season and four seasons, calendar fields of the date, and the
numeric exogenous features of the frame (future values taken from the future frame).
Multi-step forecasts are recursive. Predictions are clipped to [0, 2 x the series' largest
observed value]: a recursive tree model can run away on a near-constant series whose
standardisation divides by a tiny deviation (seen on one Stallion series: MASE 2,078).

Lag and rolling-mean features are NaN where a series is shorter than the lag or window
(training rows are kept with `dropna=False`; LightGBM routes NaN to a learned side), so
mlforecast's "Found null values in <lag features>." warning at each prediction step is
expected and suppressed (`_null_lag_features_expected`); a null in any other feature
still warns.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from forecasting.origins import rolling_origins, with_actuals

MODEL_NAME = "lightgbm"


def _week_of_year(dates: pd.DatetimeIndex) -> Any:
    return dates.isocalendar().week.to_numpy().astype(int)


def _mlforecast(freq: str, sf_freq: str, season_length: int) -> Any:
    from lightgbm import LGBMRegressor
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import LocalStandardScaler

    lags = sorted({1, 2, season_length} | ({2 * season_length} if freq == "D" else set()))
    features_by_freq: dict[str, list[Any]] = {
        "D": ["dayofweek", "month", "day"],
        "W": [_week_of_year, "month"],
        "M": ["month"],
    }
    date_features = features_by_freq[freq]
    model = LGBMRegressor(
        n_estimators=200,
        learning_rate=0.06,
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
        lag_transforms={
            1: [RollingMean(window_size=season_length), RollingMean(window_size=4 * season_length)]
        },
        date_features=date_features,
        target_transforms=[LocalStandardScaler()],
    )


# mlforecast's warning when the features of a prediction step hold nulls, matched only when
# every column it names is a lag or a rolling mean of a lag (re.match, anchored at the end).
_LAG_FEATURE = r"(lag\d+|rolling_mean_lag\d+_window_size\d+)"
NULL_LAG_FEATURES_WARNING = rf"Found null values in {_LAG_FEATURE}(, {_LAG_FEATURE})*\.$"


@contextmanager
def _null_lag_features_expected() -> Iterator[None]:
    """Suppress mlforecast's null-lag-feature warning (NaN lags are by design here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NULL_LAG_FEATURES_WARNING, category=UserWarning)
        yield


# Bounds that keep the global model's cost flat in the number of series: training uses at
# most the last TAIL_PERIODS[freq] periods of each series (weekly and monthly: all) and a
# seeded random sample of at most MAX_TRAIN_ROWS feature rows (predictions still use every
# series' own history).
TAIL_PERIODS = {"D": 400}
MAX_TRAIN_ROWS = 250_000
RUNAWAY_FACTOR = 2.0


def _clip_to_history(pred: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """Clip the model column to [0, RUNAWAY_FACTOR * max(y) of the series]."""
    cap = train.groupby("unique_id")["y"].max() * RUNAWAY_FACTOR
    upper = cap.reindex(pred["unique_id"]).to_numpy()
    pred[MODEL_NAME] = pred[MODEL_NAME].clip(lower=0.0, upper=upper)
    return pred


def _fit(fcst: Any, train: pd.DataFrame, freq: str) -> Any:
    """Preprocess every series of `train`, fit LightGBM on a bounded sample of rows."""
    if freq in TAIL_PERIODS:
        train = train.groupby("unique_id", sort=False).tail(TAIL_PERIODS[freq])
    with _null_lag_features_expected():
        features = fcst.preprocess(train, static_features=[], dropna=False)
    if len(features) > MAX_TRAIN_ROWS:
        features = features.sample(n=MAX_TRAIN_ROWS, random_state=0)
    x = features.drop(columns=["unique_id", "ds", "y"])
    fcst.fit_models(x, features["y"])
    return fcst


def global_cross_validation(
    train: pd.DataFrame,
    horizon: int,
    n_windows: int,
    *,
    freq: str,
    sf_freq: str,
    season_length: int,
    step_size: int | None = None,
    refit: bool = True,
) -> pd.DataFrame:
    """Rolling-origin backtest over the last `n_windows` windows of `horizon` periods with
    origins `step_size` periods apart (default `horizon`: side by side):
    unique_id, ds, cutoff, y, lightgbm.

    `refit` True fits the model at every origin; False fits it once at the first origin and
    forecasts each later origin from the series' history up to it with the same trees
    (mlforecast `predict(new_df=...)`: lags and rolling means recomputed, the fit kept), as
    statsforecast's `forward` does for the local models.
    """
    exog = [c for c in train.columns if c not in ("unique_id", "ds", "y")]
    parts = []
    fitted: Any = None
    for cutoff, past, window in rolling_origins(train, horizon, n_windows, step_size):
        kwargs: dict[str, Any] = {"X_df": window[["unique_id", "ds", *exog]]} if exog else {}
        if refit or fitted is None:
            fitted = _fit(_mlforecast(freq, sf_freq, season_length), past, freq)
        else:
            kwargs["new_df"] = past
        with _null_lag_features_expected():
            pred = fitted.predict(h=horizon, **kwargs)
        parts.append(with_actuals(window, _clip_to_history(pred, past), cutoff, MODEL_NAME))
    return pd.concat(parts, ignore_index=True)


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
    fcst = _fit(_mlforecast(freq, sf_freq, season_length), train, freq)
    kwargs: dict[str, Any] = {}
    if predict_ids is not None:
        kwargs["ids"] = list(predict_ids)
    if future is not None:
        x = future if predict_ids is None else future[future["unique_id"].isin(predict_ids)]
        kwargs["X_df"] = x
    with _null_lag_features_expected():
        pred = fcst.predict(h=horizon, **kwargs)
    return _clip_to_history(pred, train)
