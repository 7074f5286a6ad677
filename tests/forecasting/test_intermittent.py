"""The intermittent family fitted from the first sale (`forecasting.intermittent`).

Known answers come from statsforecast itself: each model on a series with leading zero
periods must equal statsforecast's own model on the same series without them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import ADIDA, IMAPA, TSB, CrostonOptimized
from statsforecast.utils import ConformalIntervals

from forecasting import ForecastConfig, forecast
from forecasting.backtest import backtest
from forecasting.candidates import build_model
from forecasting.intermittent import first_sale_index

# a location that started selling after 40 periods: sizes and gaps of intermittent demand
SINCE_LAUNCH = np.array([0.8, 1.6, 0.0, 0.0, 0.0, 0.0, 0.0, 2.1, 0.0, 3.0, 0.0, 1.2])
LAUNCHED_LATE = np.concatenate([np.zeros(40), SINCE_LAUNCH])
PLAIN = {
    "croston_optimized": lambda **kw: CrostonOptimized(**kw),
    "adida": lambda **kw: ADIDA(**kw),
    "imapa": lambda **kw: IMAPA(**kw),
    "tsb": lambda **kw: TSB(alpha_d=0.2, alpha_p=0.2, **kw),
}


def test_first_sale_index() -> None:
    assert first_sale_index(np.array([0.0, 0.0, 3.0, 0.0, 1.0])) == 2
    assert first_sale_index(np.array([2.0, 0.0])) == 0
    assert first_sale_index(np.zeros(4)) == 0  # never sold: the whole series
    assert first_sale_index(np.array([-1.0, 0.0, 0.5])) == 2  # a return is not a sale


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_forecast_ignores_the_periods_before_the_first_sale(name: str) -> None:
    model = build_model(name, 12, freq="M")
    ours = model.forecast(y=LAUNCHED_LATE, h=4)["mean"]
    since_launch = PLAIN[name]().forecast(y=SINCE_LAUNCH, h=4)["mean"]
    whole_row = PLAIN[name]().forecast(y=LAUNCHED_LATE, h=4)["mean"]
    np.testing.assert_allclose(ours, since_launch)
    # statsforecast on the whole row counts the 40 periods as an interval between demands
    # (0.14, 0.24, 0.46, 0.66 against 0.83, 0.90, 0.86, 0.77 from the first sale; the
    # series sells 0.725 a period since its launch)
    assert whole_row[0] < since_launch[0]
    assert abs(since_launch[0] - SINCE_LAUNCH.mean()) < abs(whole_row[0] - SINCE_LAUNCH.mean())
    # fit + predict is the same model
    np.testing.assert_allclose(model.fit(LAUNCHED_LATE).predict(h=4)["mean"], since_launch)


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_series_selling_from_its_first_period_is_unchanged(name: str) -> None:
    intervals = ConformalIntervals(h=2, n_windows=2)
    model = build_model(name, 12, freq="M", prediction_intervals=intervals)
    ours = model.forecast(y=SINCE_LAUNCH, h=2, level=[80])
    plain = PLAIN[name](prediction_intervals=intervals).forecast(y=SINCE_LAUNCH, h=2, level=[80])
    for key in ("mean", "lo-80", "hi-80"):
        np.testing.assert_allclose(ours[key], plain[key])
    never_sold = np.zeros(10)
    np.testing.assert_allclose(
        build_model(name, 12, freq="M").forecast(y=never_sold, h=2)["mean"],
        PLAIN[name]().forecast(y=never_sold, h=2)["mean"],
    )


def test_conformal_scores_come_from_the_whole_series() -> None:
    # 3 periods since the launch: fewer than the 2 h + 1 = 5 statsforecast's conformal
    # intervals need; its windows come from the whole series, each fitted from its first sale
    y = np.concatenate([np.zeros(10), [2.0, 0.0, 4.0]])
    intervals = ConformalIntervals(h=2, n_windows=2)
    model = build_model("croston_optimized", 12, freq="M", prediction_intervals=intervals)
    result = model.forecast(y=y, h=2, level=[80])
    plain = CrostonOptimized()
    np.testing.assert_allclose(result["mean"], plain.forecast(y=y[10:], h=2)["mean"])
    # the two windows end at 9 and 11: the first has no sale to fit (forecast 0), the
    # second is fitted on [2.0] alone
    first = np.abs(0.0 - y[9:11])
    second = np.abs(plain.forecast(y=y[10:11], h=2)["mean"] - y[11:13])
    expected = plain.__class__(prediction_intervals=intervals)._conformal_method(
        fcst={"mean": result["mean"]}, cs=np.vstack([first, second]), level=[80]
    )
    np.testing.assert_allclose(result["hi-80"], expected["hi-80"])
    np.testing.assert_allclose(result["lo-80"], expected["lo-80"])


def test_forecast_of_a_late_launch_is_the_same_with_or_without_its_zero_rows() -> None:
    dates = pd.date_range("2020-01-01", periods=len(LAUNCHED_LATE), freq="MS")
    whole = pd.DataFrame({"sku": "A", "location": "L", "date": dates, "units": LAUNCHED_LATE})
    trimmed = whole.iloc[40:]
    config = ForecastConfig(models=("croston_optimized",), n_windows=0)
    with_zeros = forecast(whole, 3, freq="M", config=config).forecasts
    without = forecast(trimmed, 3, freq="M", config=config).forecasts
    assert (with_zeros["model"] == "croston_optimized").all()
    np.testing.assert_allclose(with_zeros["mean"], without["mean"])
    np.testing.assert_allclose(
        with_zeros["mean"], CrostonOptimized().forecast(y=SINCE_LAUNCH, h=3)["mean"]
    )


def test_backtest_reference_is_statsforecasts_plain_model() -> None:
    # a yardstick is the library's model as it comes: the reference Croston counts the 40
    # zero rows, the engine's (chosen) Croston starts at the first sale
    units = np.concatenate([LAUNCHED_LATE, [1.0, 0.0, 2.0]])
    dates = pd.date_range("2020-01-01", periods=len(units), freq="MS")
    history = pd.DataFrame({"sku": "A", "location": "L", "date": dates, "units": units})
    config = ForecastConfig(models=("croston_optimized",), n_windows=0)
    report = backtest(history, 3, 1, freq="M", config=config, references=("croston_optimized",))
    points = report.points.set_index("role")
    np.testing.assert_allclose(
        points.loc["croston_optimized", "mean"],
        CrostonOptimized().forecast(y=LAUNCHED_LATE, h=3)["mean"],
    )
    np.testing.assert_allclose(
        points.loc["chosen", "mean"], CrostonOptimized().forecast(y=SINCE_LAUNCH, h=3)["mean"]
    )
