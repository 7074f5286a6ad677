"""Input preparation: holiday feature, gap filling, future alignment."""

import numpy as np
import pandas as pd

from forecasting.inputs import holiday_counts, prepare_inputs


def test_holiday_counts_per_day_week_and_month() -> None:
    # US: Independence Day 2024-07-04; Christmas 2024-12-25; New Year 2025-01-01
    days = pd.DatetimeIndex(["2024-07-04", "2024-07-05"])
    np.testing.assert_array_equal(holiday_counts(days, "D", "US"), [1, 0])
    # weeks ending Fri 20 Dec (none), 27 Dec (Christmas), 3 Jan (New Year), repeated
    weeks = pd.DatetimeIndex(list(pd.date_range("2024-12-20", periods=3, freq="W-FRI")) * 2)
    np.testing.assert_array_equal(holiday_counts(weeks, "W", "US"), [0, 1, 1, 0, 1, 1])
    # January 2025: New Year's Day and Martin Luther King Jr. Day
    np.testing.assert_array_equal(holiday_counts(pd.DatetimeIndex(["2025-01-01"]), "M", "US"), [2])


def test_prepare_fills_gaps_to_global_end_and_adds_holiday_feature() -> None:
    history = pd.DataFrame(
        {
            "sku": ["A", "A", "B"],
            "location": "L",
            "date": pd.to_datetime(["2024-07-01", "2024-07-03", "2024-07-05"]),
            "units": [1.0, 2.0, 3.0],
        }
    )
    prep = prepare_inputs(history, 2, freq="D", holiday_country="US")
    a = prep.train[prep.train["unique_id"] == 0]
    # A: 07-01..07-05, the missing 02, 04 and 05 are zeros
    np.testing.assert_array_equal(a["y"], [1, 0, 2, 0, 0])
    np.testing.assert_array_equal(a["public_holidays"], [0, 0, 0, 1, 0])
    assert list(prep.horizon_dates) == list(pd.date_range("2024-07-06", periods=2))
    assert prep.future is not None and len(prep.future) == 4
