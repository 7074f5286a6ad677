"""`forecasting.global_model`: the expected null-lag-feature warning of mlforecast is
silenced, other null-feature warnings are not."""

import warnings

import numpy as np
import pandas as pd

from forecasting import forecast
from forecasting.global_model import _null_lag_features_expected


def test_lightgbm_forecast_of_a_short_series_emits_no_null_feature_warning() -> None:
    """Three daily series of 20 days (shorter than the 28-day rolling mean, so that feature
    is NaN at every prediction step) next to three of 120 days: mlforecast warns "Found
    null values in rolling_mean_lag1_window_size28." at each step unless suppressed."""
    rng = np.random.default_rng(0)
    frames = []
    for i in range(6):
        days = 20 if i < 3 else 120
        dates = pd.date_range(end="2024-06-01", periods=days, freq="D")
        units = rng.poisson(20.0, days).astype(float)
        frames.append(
            pd.DataFrame({"sku": f"S{i}", "location": "L", "date": dates, "units": units})
        )
    history = pd.concat(frames, ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = forecast(history, 7, models=("lightgbm",), n_windows=1)
    assert len(result.forecasts) == 6 * 7
    assert result.forecasts["mean"].notna().all()
    assert not [w for w in caught if "Found null values" in str(w.message)]


def test_null_warning_for_a_feature_that_is_not_a_lag_still_shows() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _null_lag_features_expected():
            warnings.warn(
                "Found null values in lag52, rolling_mean_lag1_window_size208.", stacklevel=1
            )
            warnings.warn("Found null values in lag7, temperature_c.", stacklevel=1)
    assert [str(w.message) for w in caught] == ["Found null values in lag7, temperature_c."]
