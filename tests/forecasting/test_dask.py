"""The Dask engine (statsforecast's fugue backend) gives the local engine's forecasts."""

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from tests.forecasting.helpers import series_frame


@pytest.mark.slow
def test_dask_engine_equals_local_on_200_series() -> None:
    pytest.importorskip("distributed")
    rng = np.random.default_rng(5)
    n, days = 200, 56
    dates = pd.date_range("2024-01-01", periods=days)
    rate = (
        rng.gamma(2.0, 5.0, n)[:, None]
        * (1 + 0.3 * np.sin(2 * np.pi * np.arange(days) / 7))[None, :]
    )
    history = series_frame(rng.poisson(rate).astype(float), dates)
    config = ForecastConfig(models=("seasonal_naive", "adida"), n_windows=1, holiday_country=None)
    local = forecast(history, 14, config=config, engine="local")
    dask = forecast(history, 14, config=config, engine="dask")
    pd.testing.assert_frame_equal(
        local.forecasts, dask.forecasts, check_exact=False, rtol=1e-6
    )  # float32 inside statsforecast
    pd.testing.assert_frame_equal(local.selection, dask.selection, check_exact=False, rtol=1e-6)
    assert len(local.forecasts) == n * 14
