"""Level shifts at the end of a history: the series restarts from the new level."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting import ForecastConfig, forecast
from forecasting.level_shift import cut_at_restarts, restart_dates


def monthly(series: dict[int, list[float]]) -> pd.DataFrame:
    """unique_id, ds (months from 2020-01), y."""
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": uid, "ds": pd.date_range("2020-01-01", periods=len(y), freq="MS"),
                 "y": np.asarray(y, dtype=float)}
            )
            for uid, y in series.items()
        ],
        ignore_index=True,
    )  # fmt: skip


LOW = [1.0, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 2] * 2  # two years at 1-2 units a month


def test_a_jump_over_five_times_the_earlier_sales_for_two_periods_restarts() -> None:
    train = monthly(
        {
            1: LOW + [50, 60],  # shift: 50, 60 > 5 x 2
            2: LOW[:10] + [30] + LOW[11:] + [50, 60],  # one earlier spike: second largest 2
            3: LOW + [60],  # one period: a spike
            4: LOW + [9, 60],  # 9 < 5 x 2: the shift starts at 60 only, one period
            5: [0.0] * 20 + [1, 1, 2] + [50, 60],  # sold 3 months: a launch's ramp-up
            6: [0.0] * 26,  # never sold
            7: LOW + [8, 8],  # a season's peak at 4x: no shift
        }
    )
    restarts = restart_dates(train, 12)
    assert restarts.to_dict() == {1: pd.Timestamp("2022-01-01"), 2: pd.Timestamp("2022-01-01")}
    # the earliest period of the shift: three periods over 10
    longer = monthly({1: LOW + [40, 50, 60]})
    assert restart_dates(longer, 12).to_dict() == {1: pd.Timestamp("2022-01-01")}
    # 7 months at the new level: still a restart (within two seasons)
    recent = monthly({1: LOW + [50, 60, 55, 52, 58, 61, 57]})
    assert restart_dates(recent, 12).to_dict() == {1: pd.Timestamp("2022-01-01")}
    # older than two seasons (25 months at the new level): the whole history counts again
    old = monthly({1: LOW + [50.0] * 25})
    assert restart_dates(old, 12).empty


def test_cut_at_restarts_keeps_the_new_level_only() -> None:
    train = monthly({1: LOW + [50, 60], 2: LOW})
    cut = cut_at_restarts(train, restart_dates(train, 12))
    np.testing.assert_array_equal(cut.loc[cut["unique_id"] == 1, "y"], [50.0, 60.0])
    assert (cut["unique_id"] == 2).sum() == len(LOW)


def test_forecast_restarts_a_shifted_series_as_a_launch() -> None:
    rng = np.random.default_rng(3)
    months = pd.date_range("2019-01-01", periods=36, freq="MS")
    rows = []
    for location in range(6):  # six steady locations, one that jumps from ~2 to ~300
        level = 20.0 + 5 * location
        units = rng.poisson(level, size=36).astype(float)
        rows.append(pd.DataFrame({"sku": "A", "location": f"L{location}", "date": months,
                                  "units": units}))  # fmt: skip
    jump = np.r_[rng.integers(1, 3, size=34).astype(float), 290.0, 350.0]
    rows.append(pd.DataFrame({"sku": "A", "location": "L9", "date": months, "units": jump}))
    history = pd.concat(rows, ignore_index=True)
    result = forecast(history, 3, freq="M", config=ForecastConfig(n_windows=1))
    shifted = result.forecasts[result.forecasts["location"] == "L9"]
    assert (shifted["model"] == "cold_start_profile").all()
    # from the new level (mean 320), not the four years before it (~2 a month)
    assert shifted["mean"].between(160, 640).all()
    assert any(
        "1 series whose last periods sell over 5x" in w and "A/L9 from 2021-11-01" in w
        for w in result.warnings
    )
    steady = result.forecasts[result.forecasts["location"] != "L9"]
    assert (steady["model"] != "cold_start_profile").all()


def test_the_warning_names_ten_restarted_series_and_counts_the_rest() -> None:
    months = pd.date_range("2019-01-01", periods=30, freq="MS")
    low = np.tile([1.0, 2.0], 14)
    rows = [
        pd.DataFrame({"sku": "A", "location": f"L{i:02d}", "date": months,
                      "units": np.r_[low, 100.0 + i, 120.0]})
        for i in range(12)
    ]  # fmt: skip
    rows.append(pd.DataFrame({"sku": "A", "location": "steady", "date": months, "units": 50.0}))
    result = forecast(pd.concat(rows), 2, freq="M", config=ForecastConfig(n_windows=0))
    (warning,) = [w for w in result.warnings if "restart" in w]
    assert warning.startswith("12 series")
    assert warning.count(" from 2021-05-01") == 10 and warning.endswith("and 2 more")


def test_a_weekly_series_long_at_its_new_level_is_forecast_by_the_models_from_it() -> None:
    # 20 weeks at ~200 after two years at 1-3: warm again (>= min_history, 8 weeks), fitted
    # on the 20 weeks only
    rng = np.random.default_rng(0)
    weeks = pd.date_range("2020-01-03", periods=130, freq="W-FRI")
    rows = [
        pd.DataFrame({"sku": "A", "location": f"L{i}", "date": weeks,
                      "units": rng.poisson(30 + 5 * i, 130).astype(float)})
        for i in range(5)
    ]  # fmt: skip
    jumped = np.r_[rng.integers(1, 4, 110), rng.poisson(200, 20)].astype(float)
    rows.append(pd.DataFrame({"sku": "A", "location": "J", "date": weeks, "units": jumped}))
    result = forecast(pd.concat(rows), 8, freq="W", config=ForecastConfig(n_windows=0))
    row = result.selection.set_index("location").loc["J"]
    assert not row["cold_start"] and row["history_periods"] == 20
    mean = result.forecasts.loc[result.forecasts["location"] == "J", "mean"]
    assert mean.between(150, 250).all()  # the new level, not a blend with the old
    assert any("A/J from 2022-02-11" in w for w in result.warnings)
