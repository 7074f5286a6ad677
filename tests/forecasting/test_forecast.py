"""`forecasting.forecast`: output form, known answers, cold start, features."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from tests.forecasting.helpers import WEEK, series_frame, weekly_pattern_history

CHEAP = ForecastConfig(models=("seasonal_naive",), n_windows=2, holiday_country=None)


def with_late_starter(history: pd.DataFrame, units: list[float]) -> pd.DataFrame:
    """`history` plus sku D at L1 selling `units` on consecutive days from 2024-03-08 (the
    last days of a 70-day `weekly_pattern_history`)."""
    new = pd.DataFrame(
        {
            "sku": "D",
            "location": "L1",
            "date": pd.date_range("2024-03-08", periods=len(units)),
            "units": units,
        }
    )
    return pd.concat([history, new], ignore_index=True)


def test_seasonal_naive_reproduces_pure_weekly_pattern() -> None:
    history = weekly_pattern_history(days=70)  # 10 whole weeks; last day is a Sunday
    result = forecast(history, 14, config=CHEAP)
    f = result.forecasts
    assert list(f.columns) == ["sku", "location", "date", "mean", "p10", "p50", "p90", "model"]
    assert len(f) == 14
    assert f["date"].iloc[0] == pd.Timestamp("2024-03-11")  # the day after the last date
    assert (f["date"].diff().dropna() == pd.Timedelta(days=1)).all()
    np.testing.assert_allclose(f["mean"].to_numpy(), np.resize(WEEK, 14))
    # a perfect backtest: zero error -> MASE 0, quantiles collapse on the mean
    np.testing.assert_allclose(f["p10"], f["mean"])
    np.testing.assert_allclose(f["p90"], f["mean"])
    sel = result.selection
    assert sel.loc[0, "model"] == "seasonal_naive"
    assert sel.loc[0, "mase"] == pytest.approx(0.0)
    # sizes 5,7,9,11,13,30,2: mean 11, variance 502/7 -> CV^2 = 0.593 >= 0.49, ADI 1
    assert sel.loc[0, "demand_class"] == "erratic"
    assert not sel.loc[0, "cold_start"]


def test_quantile_columns_follow_requested_levels() -> None:
    history = weekly_pattern_history(days=56)
    result = forecast(history, 7, quantiles=(0.95, 0.05, 0.5), config=CHEAP)
    assert list(result.forecasts.columns) == [
        "sku",
        "location",
        "date",
        "mean",
        "p05",
        "p50",
        "p95",
        "model",
    ]


def test_gaps_are_zero_sales_and_returns_are_clipped() -> None:
    history = weekly_pattern_history(days=70)
    history = history[history["date"] != pd.Timestamp("2024-03-04")]  # a Monday goes missing
    history.loc[history["date"] == pd.Timestamp("2024-03-05"), "units"] = -3.0  # returns
    result = forecast(
        history,
        7,
        config=ForecastConfig(models=("seasonal_naive",), n_windows=0, holiday_country=None),
    )
    mean = result.forecasts["mean"].to_numpy()
    assert mean[0] == 0.0  # Monday 2024-03-11 repeats the filled zero of 2024-03-04
    assert mean[1] == 0.0  # Tuesday repeats the clipped return day
    np.testing.assert_allclose(mean[2:], WEEK[2:])
    assert any("negative" in w for w in result.warnings)
    assert any("filled with zero" in w for w in result.warnings)


def test_weekly_frequency_dates_keep_the_weekday() -> None:
    dates = pd.date_range("2024-01-05", periods=30, freq="W-FRI")
    history = pd.DataFrame(
        {"sku": "A", "location": "L", "date": dates, "units": np.arange(30.0) + 10}
    )
    result = forecast(history, 4, freq="W", config=CHEAP)
    expected = pd.date_range(dates[-1], periods=5, freq="W-FRI")[1:]
    assert list(result.forecasts["date"]) == list(expected)
    # 30 weeks < one 52-week season: no seasonal-naive value, the recent mean is used
    np.testing.assert_allclose(result.forecasts["mean"], np.arange(30.0).mean() + 10)


def test_cold_start_uses_category_location_profile() -> None:
    history = weekly_pattern_history(days=70, pairs=(("A", "L1"), ("B", "L1"), ("C", "L2")))
    # D at L1 sold only on the last 3 days: a cold start; E only appears in the future frame
    history = with_late_starter(history, [4.0, 4.0, 4.0])
    future = pd.DataFrame(
        {"sku": "E", "location": "L1", "date": pd.date_range("2024-03-11", periods=7)}
    )
    items = pd.DataFrame({"sku": ["A", "B", "C", "D", "E"], "category": ["x", "y", "x", "x", "x"]})
    result = forecast(history, 7, future=future, items=items, config=CHEAP)
    f = result.forecasts.set_index(["sku", "location", "date"])
    # the only warm peer of category x at L1 is A (pattern WEEK, mean 11 per day):
    # E never sold -> A's values; D sells 4 per day -> A's shape rescaled to mean 4
    expected = {"E": WEEK, "D": WEEK * 4.0 / WEEK.mean()}
    for sku in ("D", "E"):
        rows = f.loc[(sku, "L1")]
        np.testing.assert_allclose(rows["mean"].to_numpy(), expected[sku])
        assert (rows["model"] == "cold_start_profile").all()
    sel = result.selection.set_index("sku")
    assert bool(sel.loc["D", "cold_start"]) and bool(sel.loc["E", "cold_start"])
    assert not bool(sel.loc["A", "cold_start"])


def test_feature_without_future_values_is_dropped_with_warning() -> None:
    history = weekly_pattern_history(days=56)
    history["on_promo"] = 0.0
    result = forecast(history, 7, config=CHEAP)
    assert any("on_promo" in w for w in result.warnings)
    assert len(result.forecasts) == 7


def test_intermittent_series_gets_intermittent_model_and_nonnegative_quantiles() -> None:
    rng = np.random.default_rng(3)
    days = 120
    units = rng.binomial(1, 0.2, days) * rng.integers(1, 4, days)
    history = pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "date": pd.date_range("2024-01-01", periods=days),
            "units": units.astype(float),
        }
    )
    result = forecast(
        history,
        7,
        config=ForecastConfig(
            models=("seasonal_naive", "croston_optimized", "adida"),
            n_windows=2,
            holiday_country=None,
        ),
    )
    sel = result.selection.iloc[0]
    assert sel["demand_class"] in {"intermittent", "lumpy"}
    assert sel["model"] in {"croston_optimized", "adida"}
    f = result.forecasts
    assert (f[["mean", "p10", "p50", "p90"]] >= 0).all().all()
    assert (f["p10"] <= f["p50"]).all() and (f["p50"] <= f["p90"]).all()


def test_conformal_80_interval_covers_about_80_percent_on_gaussian_noise() -> None:
    """iid N(50, 5^2) daily demand, 100 series: the p10-p90 band should hold ~80% of a
    14-day holdout (1,400 points)."""
    rng = np.random.default_rng(11)
    days, horizon, n = 150, 14, 100
    dates = pd.date_range("2024-01-01", periods=days + horizon)
    values = rng.normal(50.0, 5.0, size=(n, days + horizon))
    frame = series_frame(values, dates)
    history = frame[frame["date"] < dates[days]]
    actual = frame[frame["date"] >= dates[days]]
    config = ForecastConfig(models=("seasonal_naive", "adida"), n_windows=3, holiday_country=None)
    result = forecast(history, horizon, config=config)
    joined = result.forecasts.merge(actual, on=["sku", "location", "date"])
    assert len(joined) == n * horizon
    inside = ((joined["units"] >= joined["p10"]) & (joined["units"] <= joined["p90"])).mean()
    assert abs(inside - 0.8) < 0.05
    # the median forecast is near the true mean 50 (ADIDA ~ a level estimate)
    assert abs(joined["p50"].mean() - 50.0) < 1.5


def _noisy_weekly_history(seed: int) -> pd.DataFrame:
    """84 days of the weekly pattern x 3 plus N(0, 4^2) noise."""
    rng = np.random.default_rng(seed)
    units = np.resize(WEEK * 3, 84) + rng.normal(0, 4, 84)
    return pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "date": pd.date_range("2024-01-01", periods=84),
            "units": units,
        }
    )


def test_ensemble_of_two_best_is_chosen_when_it_backtests_better() -> None:
    """Weekly pattern + N(0, 4^2) noise (seed 0): the mean of AutoETS and SeasonalNaive
    backtests better than either (MASE 0.798 vs 0.810 and 0.953), so it is used, labelled
    with its members, and its forecast is the members' average. With seed 1 AutoETS alone
    is better and stays the choice."""
    history = _noisy_weekly_history

    config = ForecastConfig(
        models=("seasonal_naive", "auto_ets"), n_windows=2, holiday_country=None, ensemble_top=2
    )
    result = forecast(history(0), 7, config=config)
    sel = result.selection.loc[0]
    assert sel["model"] == "ensemble:auto_ets+seasonal_naive"
    scores = {k: float(v) for k, v in (item.split("=") for item in sel["scores"].split(";"))}
    assert sel["mase"] < min(scores.values())
    members = [
        forecast(
            history(0), 7, config=ForecastConfig(models=(m,), n_windows=0, holiday_country=None)
        )
        .forecasts["mean"]
        .to_numpy()
        for m in ("seasonal_naive", "auto_ets")
    ]
    np.testing.assert_allclose(result.forecasts["mean"], (members[0] + members[1]) / 2, rtol=1e-6)
    assert (result.forecasts["model"] == "ensemble:auto_ets+seasonal_naive").all()
    assert forecast(history(1), 7, config=config).selection.loc[0, "model"] == "auto_ets"


def test_default_config_scores_ensembles() -> None:
    """Ensembles are on by default (ensemble_top 3, the accuracy benchmark's setting), for
    the full and the fast config: the seed-0 history of the test above gets the same
    ensemble without asking for it, and one model alone (ensemble_top 1) does not."""
    assert ForecastConfig().ensemble_top == ForecastConfig.fast().ensemble_top == 3
    models = ("seasonal_naive", "auto_ets")
    default = ForecastConfig(models=models, n_windows=2, holiday_country=None)
    chosen = forecast(_noisy_weekly_history(0), 7, config=default).selection.loc[0, "model"]
    assert chosen == "ensemble:auto_ets+seasonal_naive"
    single = ForecastConfig(models=models, n_windows=2, holiday_country=None, ensemble_top=1)
    alone = forecast(_noisy_weekly_history(0), 7, config=single).selection.loc[0, "model"]
    assert alone == "auto_ets"


def test_model_intervals_native_and_conformal_for_croston() -> None:
    """interval_method="model": SeasonalNaive's own interval on an exact weekly pattern has
    zero width; CrostonOptimized (no native interval) gets statsforecast ConformalIntervals,
    ordered and non-negative."""
    exact = weekly_pattern_history(days=70)
    config = ForecastConfig(
        models=("seasonal_naive",), n_windows=2, holiday_country=None, interval_method="model"
    )
    f = forecast(exact, 7, config=config).forecasts
    np.testing.assert_allclose(f["p10"], f["mean"])
    np.testing.assert_allclose(f["p90"], f["mean"])
    rng = np.random.default_rng(2)
    units = (rng.random(120) < 0.25) * rng.integers(1, 5, 120)
    sparse = pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "date": pd.date_range("2024-01-01", periods=120),
            "units": units.astype(float),
        }
    )
    config = ForecastConfig(
        models=("croston_optimized",), n_windows=2, holiday_country=None, interval_method="model"
    )
    f = forecast(sparse, 7, config=config).forecasts
    assert (f["model"] == "croston_optimized").all()
    assert (f["p10"] >= 0).all() and (f["p10"] <= f["p50"]).all() and (f["p50"] <= f["p90"]).all()
    assert (f["p90"] > f["p10"]).all()


def test_series_observed_without_sales_is_forecast_zero() -> None:
    history = weekly_pattern_history(days=70)
    dormant = pd.DataFrame(
        {
            "sku": "Z",
            "location": "L1",
            "date": pd.date_range("2024-01-01", periods=70),
            "units": 0.0,
        }
    )
    result = forecast(pd.concat([history, dormant], ignore_index=True), 7, config=CHEAP)
    z = result.forecasts[result.forecasts["sku"] == "Z"]
    assert len(z) == 7
    assert (z[["mean", "p10", "p50", "p90"]] == 0).all().all()
    assert bool(result.selection.set_index("sku").loc["Z", "cold_start"])


def test_cold_start_band_is_at_least_the_student_t_interval_of_its_own_sales() -> None:
    """D sold 2, 6, 4 on its only 3 days (mean 4, sd 2): its p10/p90 are at least
    4 -/+ t_2(0.9) * 2 * sqrt(1 + 1/3) = 4 -/+ 4.355 (lower clipped at 0), wider than the
    peer A's exact pattern (A backtests without error, so A's own band is its point)."""
    history = weekly_pattern_history(days=70, pairs=(("A", "L1"),))
    history = with_late_starter(history, [2.0, 6.0, 4.0])
    result = forecast(history, 7, config=CHEAP)
    rows = result.forecasts.set_index("sku").loc["D"]
    half = 1.885618 * 2.0 * np.sqrt(4.0 / 3.0)
    np.testing.assert_allclose(rows["mean"].mean(), 4.0)
    assert (rows["p90"] >= rows["mean"] + half - 1e-6).all()
    assert (rows["p10"] <= np.clip(rows["mean"] - half, 0.0, None) + 1e-6).all()
    assert (rows["p10"] <= rows["p50"]).all() and (rows["p50"] <= rows["p90"]).all()


def test_series_sold_for_less_than_a_season_never_gets_seasonal_naive() -> None:
    """Monthly data (season 12): Y launched 11 months ago (months 30-33 sold 50, 60, 70,
    40, then nothing). Seasonal naive copies the zeros from before the launch, so it
    backtests without error on the last two 3-month windows and would win; but it would
    also copy any launch a year later, so it is not a candidate for Y. Z repeats a yearly
    pattern exactly and gets seasonal naive."""
    dates = pd.date_range("2020-01-01", periods=40, freq="MS")
    pattern = np.resize(np.arange(1.0, 13.0) * 10.0, 40)
    young = np.zeros(40)
    young[29:33] = [50.0, 60.0, 70.0, 40.0]
    history = pd.concat(
        [
            pd.DataFrame({"sku": "Y", "location": "L", "date": dates, "units": young}),
            pd.DataFrame({"sku": "Z", "location": "L", "date": dates, "units": pattern}),
        ],
        ignore_index=True,
    )
    config = ForecastConfig(
        models=("seasonal_naive", "auto_ets"), n_windows=2, holiday_country=None, ensemble_top=2
    )
    selection = forecast(history, 3, freq="M", config=config).selection.set_index("sku")
    assert not bool(selection.loc["Y", "cold_start"])
    assert "seasonal_naive" not in str(selection.loc["Y", "model"])
    assert selection.loc["Z", "model"] == "seasonal_naive"


def test_series_that_sold_then_stopped_keeps_a_positive_p90() -> None:
    """Monthly: six steady series and one that sold 5 units once, then nothing for 10
    months (zero share 10/11 = 0.91). Its p10 is 0, but one sale in 11 periods does not
    make p90 = 0 certain: the band must not collapse to [0, 0]."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2020-01-01", periods=48, freq="MS")
    frames = [
        pd.DataFrame(
            {
                "sku": f"S{k}",
                "location": "L",
                "date": dates,
                "units": 20 + 3 * rng.standard_normal(48),
            }
        )
        for k in range(6)
    ]
    units = np.r_[np.zeros(37), 5.0, np.zeros(10)]
    frames.append(pd.DataFrame({"sku": "ONE", "location": "L", "date": dates, "units": units}))
    result = forecast(
        pd.concat(frames, ignore_index=True),
        6,
        freq="M",
        models=("seasonal_naive", "auto_ets", "croston_optimized", "tsb"),
        n_windows=3,
    )
    one = result.forecasts[result.forecasts["sku"] == "ONE"]
    assert not bool(result.selection.set_index("sku").loc["ONE", "cold_start"])
    assert (one["p10"] == 0).all()
    assert (one["p90"] > 0).all()


def test_processes_do_not_change_the_forecast() -> None:
    # `supplycast forecast` runs statsforecast on every core by default (--jobs); the
    # series are fitted independently, so the result must not depend on the split
    rng = np.random.default_rng(11)
    dates = pd.date_range("2024-01-01", periods=63, freq="D")
    values = np.vstack([k * np.resize(WEEK, 63) + rng.normal(0, 2, 63) for k in (1, 2, 3, 4)])
    history = series_frame(np.clip(values, 0, None), dates)
    config = ForecastConfig(
        models=("seasonal_naive", "auto_ets"), n_windows=2, holiday_country=None
    )
    one = forecast(history, 7, config=config)
    two = forecast(history, 7, config=dataclasses.replace(config, n_jobs=2))
    pd.testing.assert_frame_equal(one.forecasts, two.forecasts)
    pd.testing.assert_frame_equal(one.selection, two.selection)
