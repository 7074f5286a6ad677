"""Small hand-made frames for the forecasting tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

WEEK = np.array([5.0, 7.0, 9.0, 11.0, 13.0, 30.0, 2.0])


def forecast_cli(history: Path, out: Path, horizon: int, *options: str) -> list[str]:
    """Arguments of `supplycast forecast --history H --horizon N --out F [options]`."""
    return [
        "forecast",
        *("--history", str(history), "--horizon", str(horizon), "--out", str(out)),
        *options,
    ]


def weekly_pattern_history(
    days: int = 70, pairs: tuple[tuple[str, str], ...] = (("A", "L1"),)
) -> pd.DataFrame:
    """Daily units repeating WEEK exactly, starting on Monday 2024-01-01."""
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    frames = []
    for k, (sku, location) in enumerate(pairs):
        units = np.resize(WEEK, days) * (k + 1)
        frames.append(
            pd.DataFrame({"sku": sku, "location": location, "date": dates, "units": units})
        )
    return pd.concat(frames, ignore_index=True)


def series_frame(values: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """History rows from a series x dates matrix of units: skus S000, S001, .. at "L"."""
    n = values.shape[0]
    return pd.DataFrame(
        {
            "sku": np.repeat([f"S{i:03d}" for i in range(n)], len(dates)),
            "location": "L",
            "date": np.tile(dates, n),
            "units": values.ravel(),
        }
    )


def gamma_train(
    lengths: tuple[int, ...], *, freq: str, end: str, shape: float, scale: float, seed: int
) -> pd.DataFrame:
    """`unique_id, ds, y`: unique_id 0.. with `lengths[i]` periods of random positive values
    (gamma(shape, scale)), all ending on `end`."""
    rng = np.random.default_rng(seed)
    frames = []
    for uid, n in enumerate(lengths):
        ds = pd.date_range(end=pd.Timestamp(end), periods=n, freq=freq)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": rng.gamma(shape, scale, n)}))
    return pd.concat(frames, ignore_index=True)


def last_period_residuals(train: pd.DataFrame, cutoff_gap: np.timedelta64) -> pd.DataFrame:
    """Stand-in selection residuals: one row per series on its last period (step 1, yhat 0,
    cutoff `cutoff_gap` before it)."""
    last = train.groupby("unique_id").tail(1)
    return pd.DataFrame(
        {
            "unique_id": last["unique_id"].to_numpy(),
            "ds": last["ds"].to_numpy(),
            "cutoff": last["ds"].to_numpy() - cutoff_gap,
            "step": 1,
            "y": last["y"].to_numpy(),
            "yhat": 0.0,
        }
    )


def record_shrinkage(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Patch `forecasting.selection.shrunk_combinations` to run as before and append the
    shrinkage of every call to the returned list (empty when no choice was pooled)."""
    from forecasting import selection

    seen: list[float] = []
    original = selection.shrunk_combinations

    def spy(values, y, row_of, mae, ensemble_top, shrinkage):  # type: ignore[no-untyped-def]
        seen.append(shrinkage)
        return original(values, y, row_of, mae, ensemble_top, shrinkage)

    monkeypatch.setattr(selection, "shrunk_combinations", spy)
    return seen


def id_frame(
    series: dict[int, np.ndarray], start: str = "2020-01-01", freq: str = "MS"
) -> pd.DataFrame:
    """unique_id, ds (periods at `freq` from `start`), y: the engine's training frame."""
    parts = [
        pd.DataFrame(
            {"unique_id": uid, "ds": pd.date_range(start, periods=y.size, freq=freq), "y": y}
        )
        for uid, y in series.items()
    ]
    return pd.concat(parts, ignore_index=True)


def seasonal_sku_pool(seed: int = 8) -> tuple[pd.DataFrame, pd.Series]:
    """60 monthly series of 48 months (a shared cosine season, gamma levels and noise) and
    their SKUs S0-S2: a pool for the group models' Dask-equals-local tests."""
    rng = np.random.default_rng(seed)
    season = 1 + 0.5 * np.cos(2 * np.pi * np.arange(12) / 12)
    series = {
        i: rng.gamma(4.0, 10.0) * np.tile(season, 4) * rng.gamma(20, 0.05, 48) for i in range(60)
    }
    return id_frame(series), pd.Series({i: f"S{i % 3}" for i in range(60)})
