"""Extra calibration windows for short horizons (`ForecastConfig.calibration_periods`):
their placement, that the conformal pool gets the chosen model's errors there, and that the
per-step and cumulative bands come out right on noise of known distribution."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from forecasting.config import CALIBRATION_PERIODS
from forecasting.engine import _ChosenBacktest, _with_calibration_residuals
from forecasting.intervals import calibration_windows
from forecasting.runner import Runner
from tests.forecasting.helpers import gamma_train, last_period_residuals


def test_calibration_windows_known_placements() -> None:
    # 91 periods, horizon 4 (short: origins every period), 3 selection windows (12 periods):
    # 79 more periods = 76 windows (span 4 + 75 = 79) ending where the selection windows begin
    assert calibration_windows(91, 4, 3) == (12, 76, 1)
    # the daily plan: horizon 28, 1 window: 63 more periods = 3 windows side by side
    assert calibration_windows(91, 28, 1) == (28, 3, 28)
    # horizon 7 is not short: 91 - 21 = 70 periods = 10 windows side by side
    assert calibration_windows(91, 7, 3) == (21, 10, 7)
    # the selection windows already cover enough: none
    assert calibration_windows(91, 28, 4) == (0, 0, 28)
    assert calibration_windows(12, 4, 3) == (0, 0, 4)
    assert calibration_windows(0, 4, 3) == (0, 0, 4)
    # one period short of the selection windows' 12: one window more
    assert calibration_windows(13, 4, 3) == (12, 1, 1)


def test_config_calibration_periods_defaults_and_validation() -> None:
    assert ForecastConfig().calibration_periods is None
    assert CALIBRATION_PERIODS == {"D": 91, "W": 0, "M": 0}
    with pytest.raises(ValueError, match="calibration_periods"):
        ForecastConfig(calibration_periods=-1)


def _daily_train(lengths: tuple[int, ...], seed: int = 5) -> pd.DataFrame:
    """unique_id 0.. with random positive daily values, all ending on the same date."""
    return gamma_train(lengths, freq="D", end="2012-12-31", shape=4.0, scale=25.0, seed=seed)


def _selection_rows(train: pd.DataFrame) -> pd.DataFrame:
    """Stand-in selection residuals: one row per series on its last day."""
    return last_period_residuals(train, np.timedelta64(1, "D"))


def _calibration_rows(periods: int, models: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    # series 0 and 2: 120 days; series 1: 50 days. Horizon 4, 3 selection windows,
    # season 7, min_history 14.
    train = _daily_train((120, 50, 120))
    choice = pd.DataFrame({"unique_id": [0, 1, 2], "model": list(models)})
    out = _with_calibration_residuals(
        _selection_rows(train),
        train,
        choice,
        _ChosenBacktest(
            ForecastConfig(n_windows=3, calibration_periods=periods, seasonal_calibration="off"),
            Runner(),
            "D",
            "D",
            4,
            7,
            14,
        ),
    )
    return train, out


def test_extra_windows_hold_the_chosen_models_errors_before_the_selection_windows() -> None:
    # 40 periods: drop the 12 selection days; the 28 days before them are covered by 25
    # windows of 4 days with an origin every day (span 4 + 24 = 28). Series 0 (120 - 12 =
    # 108 >= 28 + 14) gets them; series 1 (50 - 12 = 38 < 42) is too short and keeps its
    # selection rows only; series 2 chose the global model, fitted once at the first extra
    # window and rolled forward like the local models (its values: test_global_model).
    train, out = _calibration_rows(40, ("seasonal_naive", "seasonal_naive", "lightgbm"))
    pd.testing.assert_frame_equal(out.iloc[:3].reset_index(drop=True), _selection_rows(train))
    rolled = out.iloc[3:]
    assert len(rolled) == 2 * 25 * 4 and set(rolled["unique_id"]) == {0, 2}
    assert rolled["yhat"].notna().all()
    global_rows = rolled[rolled["unique_id"] == 2]
    assert sorted(pd.unique(global_rows["cutoff"])) == sorted(
        pd.unique(rolled.loc[rolled["unique_id"] == 0, "cutoff"])
    )
    added = rolled[rolled["unique_id"] == 0]
    last = train["ds"].max()
    day = pd.Timedelta(days=1)
    assert sorted(pd.unique(added["cutoff"])) == [last - k * day for k in range(40, 15, -1)]
    assert added["step"].tolist() == [1, 2, 3, 4] * 25
    # the last extra window ends where the selection windows begin
    assert added["ds"].max() == last - 12 * day
    # seasonal naive (fitted once, rolled forward): the forecast of day t is day t - 7
    y = train[train["unique_id"] == 0].set_index("ds")["y"]
    expected = y.reindex(pd.DatetimeIndex(added["ds"]) - 7 * day).to_numpy()
    np.testing.assert_allclose(added["yhat"].to_numpy(), expected)
    np.testing.assert_allclose(added["y"].to_numpy(), y.reindex(added["ds"]).to_numpy())


def test_no_extra_windows_when_off_or_covered() -> None:
    models = ("seasonal_naive", "seasonal_naive", "seasonal_naive")
    for periods in (0, 12):  # off; the 3 selection windows of 4 days already cover 12
        train, out = _calibration_rows(periods, models)
        pd.testing.assert_frame_equal(out, _selection_rows(train))


def test_bands_match_known_noise_with_few_series_and_a_short_horizon() -> None:
    # 3 series of iid normal noise around 1,000 (sd 50), 400 days, horizon 4. Seasonal
    # naive (season 7) forecasts day t with day t - 7, so its error at each step is the
    # difference of two independent draws (sd 50 * sqrt(2)), independent across the 4 steps:
    # the 5%-95% band of one day is +-1.645 * 50 * sqrt(2), that of the total of k days
    # +-1.645 * 50 * sqrt(2k). 364 calibration periods: 3 + 88 windows x 3 series = 273
    # errors per step. The sampling sd of a 5% / 95% quantile of 273 normal draws is
    # sqrt(0.05 * 0.95 / 273) / phi(1.645) = 0.13 sd, 8% of 1.645 sd; the half-width averages
    # the two tails (about 6%), and the window check may move a tail out a little: 15%.
    sd, horizon = 50.0, 4
    rng = np.random.default_rng(11)
    dates = pd.date_range("2011-01-01", periods=400, freq="D")
    history = pd.concat(
        [
            pd.DataFrame(
                {
                    "sku": f"s{i}",
                    "location": "L",
                    "date": dates,
                    "units": 1000 + sd * rng.standard_normal(400),
                }
            )
            for i in range(3)
        ],
        ignore_index=True,
    )
    config = ForecastConfig(
        models=("seasonal_naive",), n_windows=3, calibration_periods=364, holiday_country=None
    )
    out = forecast(
        history,
        horizon,
        quantiles=(0.05, 0.5, 0.95),
        config=config,
        cumulative_quantiles=True,
    ).forecasts
    step = out.groupby("sku").cumcount().to_numpy() + 1
    per_step = ((out["p95"] - out["p05"]) / 2).to_numpy()
    cumulative = ((out["cum_p95"] - out["cum_p05"]) / 2).to_numpy()
    np.testing.assert_allclose(per_step, 1.645 * sd * math.sqrt(2), rtol=0.15)
    np.testing.assert_allclose(cumulative, 1.645 * sd * np.sqrt(2 * step), rtol=0.15)


def test_interval_scales_use_a_series_own_error_from_enough_origins() -> None:
    from forecasting.intervals import interval_scales

    day = pd.Timedelta(days=1)
    origins = pd.Timestamp("2012-01-01") + day * np.arange(25)

    def rows(uid: int, cutoffs: pd.DatetimeIndex, errors: list[float]) -> pd.DataFrame:
        n = len(cutoffs)
        return pd.DataFrame(
            {
                "unique_id": uid,
                "cutoff": np.repeat(cutoffs, 2),
                "y": 100.0 + np.tile(errors, n),
                "yhat": 100.0,
            }
        )

    residuals = pd.concat(
        [
            rows(1, origins, [3.0, -1.0]),  # 25 origins, mean |error| 2
            rows(2, origins[:19], [3.0, -1.0]),  # 19 origins: too few, keeps its own scale
            rows(3, origins, [0.0, 0.0]),  # perfect: keeps its seasonal-naive scale
        ],
        ignore_index=True,
    )
    scales = pd.Series([10.0, 20.0, 30.0, 40.0], index=[1, 2, 3, 4])
    out = interval_scales(scales, residuals)
    pd.testing.assert_series_equal(out, pd.Series([2.0, 20.0, 30.0, 40.0], index=[1, 2, 3, 4]))
    assert interval_scales(scales, residuals.drop(columns="cutoff")).equals(scales)


def test_each_series_band_follows_its_own_model_error() -> None:
    # Two daily series, the same model (AutoETS) on both, unequal skill against the
    # seasonal-naive scale: iid normal noise (sd 20) around 500, where ETS's one-step error
    # is about sd and the seasonal naive's sd * sqrt(2); and a random walk (steps of sd 20),
    # where ETS's one-step error is about 20 and the seasonal naive's (7 steps) 20 * sqrt(7).
    # Pooled on the seasonal-naive scale the walk's small relative errors would narrow the
    # noise series' band and widen the walk's; with the calibration windows' 90 daily
    # origins per series (horizon 1) each band is read on its own error: the 5%-95%
    # half-width is about 1.645 * 20 for both (sampling and ETS's fit error: 15%).
    rng = np.random.default_rng(4)
    days = 500
    dates = pd.date_range("2011-01-01", periods=days, freq="D")
    noise = 500 + 20 * rng.standard_normal(days)
    walk = 2000 + np.cumsum(20 * rng.standard_normal(days))
    history = pd.concat(
        [
            pd.DataFrame({"sku": sku, "location": "L", "date": dates, "units": units})
            for sku, units in (("noise", noise), ("walk", walk))
        ],
        ignore_index=True,
    )
    config = ForecastConfig(
        models=("auto_ets",), n_windows=3, holiday_country=None, seasonal_calibration="off"
    )
    out = forecast(history, 1, quantiles=(0.05, 0.5, 0.95), config=config).forecasts
    half_width = (out["p95"] - out["p05"]) / 2
    np.testing.assert_allclose(half_width.to_numpy(), 1.645 * 20, rtol=0.15)


def test_seasonal_windows_win_over_extra_windows_for_longer_horizons() -> None:
    # horizon 7 (not short), 3 selection windows = 21 periods < 91: the extra windows would
    # apply (10 side by side), but with seasonal calibration on the seasonal windows are used
    # instead (bike, h = 28: 80% coverage 0.750 with one extra window, 0.821 seasonal); with it
    # off, the extra windows are; a short horizon (4) gets the extra windows either way.
    from forecasting.engine import _with_seasonal_residuals

    train = _daily_train((300, 300))
    choice = pd.DataFrame({"unique_id": [0, 1], "model": ["seasonal_naive", "seasonal_naive"]})
    selection = _selection_rows(train)

    def setup(seasonal: str, horizon: int) -> _ChosenBacktest:
        config = ForecastConfig(n_windows=3, calibration_periods=91, seasonal_calibration=seasonal)
        return _ChosenBacktest(config, Runner(), "D", "D", horizon, 7, 14)

    seasonal = _with_calibration_residuals(selection, train, choice, setup("replace", 7))
    expected = _with_seasonal_residuals(selection, train, choice, setup("replace", 7))
    pd.testing.assert_frame_equal(seasonal, expected)
    extra = _with_calibration_residuals(selection, train, choice, setup("off", 7))
    assert len(extra) == len(selection) + 2 * 10 * 7
    short = _with_calibration_residuals(selection, train, choice, setup("replace", 4))
    assert len(short) == len(selection) + 2 * 76 * 4  # calibration_windows(91, 4, 3): 76
