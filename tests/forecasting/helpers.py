"""Small hand-made frames for the forecasting tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEK = np.array([5.0, 7.0, 9.0, 11.0, 13.0, 30.0, 2.0])


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
