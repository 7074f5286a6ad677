"""The Dask engine (statsforecast's fugue backend) gives the local engine's forecasts."""

from pathlib import Path

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


@pytest.mark.slow
def test_dask_cli_run_prints_no_library_noise(tmp_path: Path) -> None:
    """`supplycast forecast --engine dask` on its own LocalCluster: stderr holds the
    command's lines only, not dozens of pandas FutureWarnings from dask's internal groupby
    nor the scheduler's "Shuffle ... deactivated" log lines."""
    import subprocess
    import sys

    pytest.importorskip("distributed")
    rng = np.random.default_rng(2)
    history = series_frame(
        rng.poisson(20.0, (4, 42)).astype(float), pd.date_range("2024-01-01", periods=42)
    )
    path = tmp_path / "H.csv"
    history.to_csv(path, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "supplycast.cli", "forecast", "--history", str(path)]
        + ["--horizon", "7", "--out", str(tmp_path / "F.csv"), "--engine", "dask"]
        + ["--models", "seasonal_naive,auto_ets", "--windows", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "FutureWarning" not in done.stderr and "Shuffle" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("wrote 28 forecast rows")
