"""The accuracy benchmark's Stallion price feature (benchmarks/forecast_accuracy.py): the
SKU's list price of the month, never the 0 of an agency's month without sales."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_sku_list_prices_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    accuracy = importlib.import_module("forecast_accuracy")
    months = pd.to_datetime(["2017-01-01", "2017-02-01", "2017-03-01", "2017-04-01"])
    # SKU A at two agencies: nothing sold in January and March (price 0, as in the data);
    # February sold at both (10 / 12, discount 5 / 15 %), April at Agency_1 only (14, 120 %)
    rows = pd.DataFrame(
        {
            "sku": "A",
            "agency": ["Agency_1"] * 4 + ["Agency_2"] * 4,
            "date": list(months) * 2,
            "volume": [0.0, 3.0, 0.0, 2.0, 0.0, 5.0, 0.0, 0.0],
            "price_actual": [0.0, 10.0, 0.0, 14.0, 0.0, 12.0, 0.0, 0.0],
            "discount_in_percent": [0.0, 5.0, 0.0, 120.0, 0.0, 15.0, 0.0, 0.0],
        }
    )
    prices = accuracy.sku_list_prices(rows)
    # January: back from February's median; March: carried from February; April: its own
    np.testing.assert_allclose(prices.loc["A", "price"], [11.0, 11.0, 11.0, 14.0])
    np.testing.assert_allclose(prices.loc["A", "discount_pct"], [10.0, 10.0, 10.0, 100.0])
