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


def _three_daily_series_with_a_feature(days: int = 150) -> pd.DataFrame:
    """unique_id a, b, c: Poisson demand whose mean moves with a daily feature `temp`."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    frames = []
    for i, uid in enumerate("abc"):
        temp = rng.normal(15.0, 6.0, days)
        y = rng.poisson(40.0 + 10 * i + 2.0 * np.clip(temp, 0, None)).astype(float)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": dates, "y": y, "temp": temp}))
    return pd.concat(frames, ignore_index=True)


def test_global_backtest_rolled_forward_matches_mlforecast_cross_validation() -> None:
    """refit=False with origins one day apart: the model is fitted once at the first origin
    and each later origin is forecast from the history up to it with the same trees. The
    reference is mlforecast's own cross_validation(refit=False, step_size=1) on the same
    model definition (no row sampling or tail cut at this size; the clip to [0, 2 x max]
    does not bind on these forecasts)."""
    from forecasting.global_model import MODEL_NAME, _mlforecast, global_cross_validation

    train = _three_daily_series_with_a_feature()
    ours = global_cross_validation(
        train, 4, 6, freq="D", sf_freq="D", season_length=7, step_size=1, refit=False
    )
    assert len(ours) == 3 * 6 * 4
    last = train["ds"].max()
    assert sorted(ours["cutoff"].unique()) == [last - pd.Timedelta(days=k) for k in range(9, 3, -1)]
    with _null_lag_features_expected():
        reference = _mlforecast("D", "D", 7).cross_validation(
            train, n_windows=6, h=4, step_size=1, refit=False, static_features=[], dropna=False
        )
    merged = ours.merge(reference, on=["unique_id", "ds", "cutoff"], suffixes=("", "_ref"))
    assert len(merged) == len(ours)
    np.testing.assert_allclose(merged[MODEL_NAME], merged[f"{MODEL_NAME}_ref"], rtol=1e-9)
    # the default (a fit per origin, windows side by side) is unchanged: 3 windows of 4 days
    refit = global_cross_validation(train, 4, 3, freq="D", sf_freq="D", season_length=7)
    assert sorted(refit["cutoff"].unique()) == [last - pd.Timedelta(days=k) for k in (12, 8, 4)]
