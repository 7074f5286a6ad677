"""The accuracy benchmark's `bike_hours` set (benchmarks/forecast_accuracy.py): UCI bike
sharing's hourly rentals as daily series, casual and registered riders x hour of the day."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
BIKE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bike_sharing_uci"


def _accuracy(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("forecast_accuracy")


def test_missing_hour_sells_zero_with_the_weather_of_the_day_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accuracy = _accuracy(monkeypatch)
    day_1, day_2 = pd.Timestamp("2012-10-28"), pd.Timestamp("2012-10-29")
    days = pd.DataFrame({"dteday": [day_1, day_2], "holiday": [0, 0], "workingday": [0, 1]})
    # every hour of day 1 (hour h: h casual, 10 h registered, temp h / 100); day 2 lacks hour 5
    hours = pd.DataFrame(
        [
            {
                "dteday": day,
                "hr": hr,
                "holiday": 0,
                "workingday": int(day == day_2),
                "weathersit": 1 + int(day == day_2),
                "temp": hr / 100 + (0.5 if day == day_2 else 0.0),
                "hum": 0.5,
                "windspeed": 0.1,
                "casual": hr,
                "registered": 10 * hr,
            }
            for day in (day_1, day_2)
            for hr in range(24)
            if not (day == day_2 and hr == 5)
        ]
    )
    series = accuracy.hours_as_daily_series(hours, days)

    assert len(series) == 2 * 24 * 2  # 2 rider kinds x 24 hours x 2 days
    assert series.groupby(["sku", "location"]).size().eq(2).all()
    missing = series[(series["location"] == "h05") & (series["date"] == day_2)].set_index("sku")
    assert missing.loc["casual", "units"] == 0.0
    assert missing.loc["registered", "units"] == 0.0
    # the weather of hour 5 the day before (temp 0.05 -> 2.05 deg C, situation 1), the
    # day's own working-day flag
    assert missing.loc["casual", "temperature_c"] == pytest.approx(0.05 * 41)
    assert missing.loc["casual", "weather"] == 1.0
    assert missing.loc["casual", "workingday"] == 1.0
    kept = series[(series["location"] == "h07") & (series["date"] == day_2)].set_index("sku")
    assert kept.loc["registered", "units"] == 70.0
    assert kept.loc["registered", "temperature_c"] == pytest.approx((0.07 + 0.5) * 41)


@pytest.mark.skipif(not (BIKE / "hour.csv").exists(), reason="../shared/data is absent")
def test_the_hours_of_each_day_add_up_to_the_daily_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 24 hour series of each rider kind sum to day.csv's count of that kind, every day
    (day.csv is UCI's own daily aggregate, an independent answer)."""
    accuracy = _accuracy(monkeypatch)
    series = accuracy.bike_hours()
    days = pd.read_csv(BIKE / "day.csv", parse_dates=["dteday"]).set_index("dteday")

    assert series.groupby(["sku", "location"]).ngroups == 48
    by_day = series.groupby(["sku", "date"])["units"].sum().unstack("sku")
    np.testing.assert_array_equal(by_day["casual"].to_numpy(), days["casual"].to_numpy())
    np.testing.assert_array_equal(by_day["registered"].to_numpy(), days["registered"].to_numpy())
    assert not series.isna().any().any()
