"""LevelAdjustedSeasonalNaive: last season plus the mean seasonal change of recent periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsforecast import StatsForecast
from statsforecast.utils import ConformalIntervals

from forecasting import ForecastConfig, forecast
from forecasting.backtest import backtest
from forecasting.candidates import candidates_for
from forecasting.seasonal_change import MIN_CHANGES, LevelAdjustedSeasonalNaive, seasonal_sums

PATTERN = np.array([5.0, 9.0, 3.0, 7.0])


def growing_seasons(seasons: int, growth: float) -> np.ndarray:
    """The 4-period PATTERN, each season `growth` units above the one before."""
    return np.concatenate([PATTERN + growth * k for k in range(seasons)])


def test_constant_seasonal_change_is_added_to_last_season_once_per_season_ahead() -> None:
    # hand-computed: every change y_t - y_{t-4} is 2; the last season is PATTERN + 6
    y = growing_seasons(4, 2.0)
    result = LevelAdjustedSeasonalNaive(season_length=4).forecast(y=y, h=8)
    expected = [13.0, 17.0, 11.0, 15.0, 15.0, 19.0, 13.0, 17.0]
    np.testing.assert_allclose(result["mean"], expected)


def test_change_is_the_mean_of_the_last_window_changes() -> None:
    # season 2; changes (from t = 2): 1, 1, 5, 5, 3, 3 -> mean of the last 4 = 4
    y = np.array([10.0, 20.0, 11.0, 21.0, 16.0, 26.0, 19.0, 29.0])
    model = LevelAdjustedSeasonalNaive(season_length=2, window=4, min_changes=2)
    result = model.forecast(y=y, h=3)
    # last season 19, 29 -> 23, 33; a season further one more change: 19 + 8
    np.testing.assert_allclose(result["mean"], [23.0, 33.0, 27.0])


def test_short_series_gets_the_mean_of_its_last_window_periods() -> None:
    y = np.array([3.0, 5.0, 4.0, 6.0, 5.0, 7.0, 6.0, 8.0, 7.0, 9.0])
    assert y.size < 4 + MIN_CHANGES
    result = LevelAdjustedSeasonalNaive(season_length=4, window=4).forecast(y=y, h=3)
    np.testing.assert_allclose(result["mean"], [7.5, 7.5, 7.5])


def test_fit_predict_and_forward_agree_with_forecast() -> None:
    y = growing_seasons(5, 1.5) + np.tile([0.3, -0.2, 0.1, -0.4], 5)
    model = LevelAdjustedSeasonalNaive(season_length=4, window=6).fit(y)
    once = LevelAdjustedSeasonalNaive(season_length=4, window=6).forecast(y=y, h=5)
    np.testing.assert_allclose(model.predict(h=5)["mean"], once["mean"])
    longer = np.concatenate([y, PATTERN + 1.5 * 5])
    np.testing.assert_allclose(
        model.forward(y=longer, h=4)["mean"],
        LevelAdjustedSeasonalNaive(season_length=4, window=6).forecast(y=longer, h=4)["mean"],
    )


def test_intervals_need_conformal_settings_and_cover_the_mean() -> None:
    rng = np.random.default_rng(4)
    y = np.tile([10.0, 20.0, 30.0], 10) + rng.normal(0, 2, 30)
    with pytest.raises(ValueError, match="prediction_intervals"):
        LevelAdjustedSeasonalNaive(season_length=3).forecast(y=y, h=3, level=[80])
    model = LevelAdjustedSeasonalNaive(
        season_length=3, prediction_intervals=ConformalIntervals(h=3, n_windows=3)
    )
    result = model.forecast(y=y, h=3, level=[80])
    assert (result["lo-80"] <= result["mean"]).all() and (result["mean"] <= result["hi-80"]).all()
    assert (result["hi-80"] - result["lo-80"] > 0).all()


def test_seasonal_sums_add_every_season_before() -> None:
    np.testing.assert_allclose(
        seasonal_sums(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 2), [1.0, 2.0, 4.0, 6.0, 9.0]
    )


@pytest.mark.parametrize("refit", [True, False])
def test_statsforecast_cross_validation_runs_it_like_its_own_models(refit: bool) -> None:
    y = growing_seasons(6, 2.0)
    dates = pd.date_range("2020-01-03", periods=y.size, freq="W-FRI")
    frame = pd.DataFrame({"unique_id": "a", "ds": dates, "y": y})
    model = LevelAdjustedSeasonalNaive(season_length=4, alias="lasn")
    cv = StatsForecast(models=[model], freq="W-FRI").cross_validation(
        df=frame, h=4, n_windows=2, step_size=4, refit=refit
    )
    # every season is 2 above the one before, so every backtest forecast is exact
    np.testing.assert_allclose(cv["lasn"].to_numpy(), cv["y"].to_numpy())


def test_candidate_where_the_season_is_longer_than_ets_models() -> None:
    for demand_class in ("smooth", "erratic"):
        names = candidates_for(demand_class, None, freq="W", n_obs=120, season_length=52)
        assert "seasonal_naive_level" in names
    # monthly data: AutoETS's 12-month season; daily: its weekly one and MSTL's yearly one
    assert "seasonal_naive_level" not in candidates_for(
        "smooth", None, freq="M", n_obs=40, season_length=12
    )
    assert "seasonal_naive_level" not in candidates_for(
        "smooth", None, freq="D", n_obs=800, season_length=7
    )
    # too few changes past the first season, and sparse demand
    assert "seasonal_naive_level" not in candidates_for(
        "smooth", None, freq="W", n_obs=52 + MIN_CHANGES - 1, season_length=52
    )
    assert "seasonal_naive_level" not in candidates_for(
        "lumpy", None, freq="W", n_obs=120, season_length=52
    )
    assert "seasonal_naive_level" in (ForecastConfig.fast().models or ())


@pytest.mark.parametrize("interval_method", ["conformal", "model"])
def test_weekly_series_growing_year_on_year_is_forecast_from_last_year_plus_growth(
    interval_method: str,
) -> None:
    # three years of a weekly yearly pattern, each year 40 units above the one before: last
    # year's week plus the growth is right, last year's week alone is 40 short, a level
    # misses the pattern
    rng = np.random.default_rng(7)
    pattern = rng.uniform(200, 400, 52)
    units = np.concatenate([pattern + 40 * year for year in range(3)]) + rng.normal(0, 3, 156)
    dates = pd.date_range("2021-01-01", periods=156, freq="W-FRI")
    history = pd.DataFrame({"sku": "A", "location": "L1", "date": dates, "units": units})
    config = ForecastConfig(
        models=("seasonal_naive", "seasonal_naive_level", "auto_ets"),
        interval_method=interval_method,
    )
    result = forecast(history, 4, freq="W", quantiles=(0.1, 0.5, 0.9), config=config)
    frame = result.forecasts
    assert frame["model"].iloc[0] == "seasonal_naive_level"
    truth = pattern[:4] + 120
    assert np.abs(frame["mean"].to_numpy() - truth).max() < 8
    assert (frame["p10"] <= frame["mean"]).all() and (frame["mean"] <= frame["p90"]).all()


def test_backtest_reference_runs_the_model_not_the_fallback() -> None:
    # each year 40 units above the one before, no noise: the level-adjusted seasonal naive
    # is exact, SeasonalNaive (the runner's fallback) is 40 short in every period
    rng = np.random.default_rng(5)
    pattern = rng.uniform(200, 400, 52)
    units = np.concatenate([pattern + 40 * year for year in range(3)])
    dates = pd.date_range("2021-01-01", periods=156, freq="W-FRI")
    history = pd.DataFrame({"sku": "A", "location": "L1", "date": dates, "units": units})
    report = backtest(
        history,
        4,
        2,
        freq="W",
        config=ForecastConfig(models=("seasonal_naive",), n_windows=2),
        references=("seasonal_naive", "seasonal_naive_level"),
    )
    overall = report.metrics[report.metrics["level"] == "overall"].set_index("role")
    assert overall.at["seasonal_naive_level", "bias"] == pytest.approx(0.0, abs=1e-9)
    assert overall.at["seasonal_naive", "bias"] < 0


@pytest.mark.parametrize("leading_zero_days", [0, 14])
def test_backtest_scale_ignores_the_days_before_the_first_sale(leading_zero_days: int) -> None:
    # daily, weekday pattern 1..7 one unit higher each week for 5 weeks, then the test week
    # 3 above what SeasonalNaive repeats: its errors are 3 a day. From the first sale the
    # weekly differences are all 1 (scale 1): MASE 3 with or without 14 leading zero days
    # (counting them, the scale would be (7 x 0 + 7 x 4 + 28 x 1) / 42 and MASE 2.25)
    pattern = np.arange(1.0, 8.0)
    units = np.concatenate(
        [np.zeros(leading_zero_days), *(pattern + week for week in range(5)), pattern + 7]
    )
    dates = pd.date_range("2024-01-01", periods=units.size, freq="D")
    history = pd.DataFrame({"sku": "A", "location": "L1", "date": dates, "units": units})
    report = backtest(
        history,
        7,
        1,
        freq="D",
        config=ForecastConfig(models=("seasonal_naive",), n_windows=1, holiday_country=None),
        references=("seasonal_naive",),
    )
    overall = report.metrics[report.metrics["level"] == "overall"].set_index("role")
    assert overall.at["seasonal_naive", "mase"] == pytest.approx(3.0)
    assert overall.at["seasonal_naive", "rmsse"] == pytest.approx(3.0)
