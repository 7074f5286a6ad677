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
from forecasting.selection import Selection
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


def _stand_in_selection(
    train: pd.DataFrame, candidates: tuple[str, ...], chosen: str, values: dict[str, float]
) -> Selection:
    """A selection backtest of one row per series on its last day (`_selection_rows`) in
    which every series chose `chosen` and candidate c predicted `values[c]` (default 0)."""
    rows = _selection_rows(train)
    predictions = rows[["unique_id", "ds", "cutoff", "y"]].assign(
        **{c: values.get(c, 0.0) for c in candidates}
    )
    choice = pd.DataFrame(
        {"unique_id": rows["unique_id"], "model": chosen, "mase": np.nan, "scores": ""}
    )
    return Selection(choice=choice, residuals=rows, predictions=predictions)


def _setup(periods: int) -> _ChosenBacktest:
    # horizon 4, 3 selection windows, season 7, min_history 14
    config = ForecastConfig(n_windows=3, calibration_periods=periods, seasonal_calibration="off")
    return _ChosenBacktest(config, Runner(), "D", "D", 4, 7, 14)


def _calibration_rows(
    periods: int, candidates: tuple[str, ...], excluded: dict[str, pd.Index]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # series 0 and 2: 120 days; series 1: 50 days
    train = _daily_train((120, 50, 120))
    choice, out = _with_calibration_residuals(
        _stand_in_selection(train, candidates, candidates[0], {}),
        train,
        candidates,
        _setup(periods),
        scales=pd.Series(1.0, index=[0, 1, 2]),
        excluded=excluded,
    )
    return train, choice, out


def test_extra_windows_hold_the_chosen_models_errors_before_the_selection_windows() -> None:
    # 40 periods: drop the 12 selection days; the 28 days before them are covered by 25
    # windows of 4 days with an origin every day (span 4 + 24 = 28). Series 0 (120 - 12 =
    # 108 >= 28 + 14) gets them; series 1 (50 - 12 = 38 < 42) is too short and keeps its
    # selection rows only; series 2 can only take the global model (seasonal naive is
    # excluded for it, the global model for the others), fitted once at the first extra
    # window and rolled forward like the local models (its values: test_global_model).
    candidates = ("seasonal_naive", "lightgbm")
    excluded = {"seasonal_naive": pd.Index([2]), "lightgbm": pd.Index([0, 1])}
    train, choice, out = _calibration_rows(40, candidates, excluded)
    assert choice.set_index("unique_id")["model"].to_dict() == {
        0: "seasonal_naive",
        1: "seasonal_naive",  # not chosen again: the selection's choice
        2: "lightgbm",
    }
    last = train["ds"].max()
    day = pd.Timedelta(days=1)
    selection = out[out["cutoff"] == out["ds"] - day]
    selection = selection[
        selection["ds"] == selection["unique_id"].map(train.groupby("unique_id")["ds"].max())
    ]
    assert sorted(selection["unique_id"]) == [0, 1, 2]
    rolled = out[out["ds"] <= last - 12 * day]
    assert len(rolled) == 2 * 25 * 4 and set(rolled["unique_id"]) == {0, 2}
    assert rolled["yhat"].notna().all()
    global_rows = rolled[rolled["unique_id"] == 2]
    assert sorted(pd.unique(global_rows["cutoff"])) == sorted(
        pd.unique(rolled.loc[rolled["unique_id"] == 0, "cutoff"])
    )
    added = rolled[rolled["unique_id"] == 0]
    assert sorted(pd.unique(added["cutoff"])) == [last - k * day for k in range(40, 15, -1)]
    assert added["step"].tolist() == [1, 2, 3, 4] * 25
    # the last extra window ends where the selection windows begin
    assert added["ds"].max() == last - 12 * day
    # seasonal naive (fitted once, rolled forward): the forecast of day t is day t - 7
    y = train[train["unique_id"] == 0].set_index("ds")["y"]
    expected = y.reindex(pd.DatetimeIndex(added["ds"]) - 7 * day).to_numpy()
    np.testing.assert_allclose(added["yhat"].to_numpy(), expected)
    np.testing.assert_allclose(added["y"].to_numpy(), y.reindex(added["ds"]).to_numpy())


def test_extra_windows_choose_again_on_all_windows() -> None:
    # A weekly pattern repeated exactly: seasonal naive (season 7) forecasts every extra
    # window without error, Croston (a flat level) does not. The stand-in selection window
    # says the opposite on its one day per series (Croston exact, seasonal naive 1,000 off)
    # and chose Croston; over 25 x 4 extra errors + 1, seasonal naive has MAE 1,000 / 101 =
    # 9.9, less than Croston's, so both long series choose seasonal naive again, and
    # series 1 (too short for the extra windows) keeps Croston.
    pattern = np.array([10.0, 50.0, 20.0, 80.0, 30.0, 60.0, 40.0])
    train = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": pd.date_range(end="2012-12-31", periods=n, freq="D"),
                    "y": np.resize(pattern, n),
                }
            )
            for uid, n in ((0, 120), (1, 50), (2, 120))
        ],
        ignore_index=True,
    )
    candidates = ("seasonal_naive", "croston_optimized")
    selection = _stand_in_selection(train, candidates, "croston_optimized", {})
    selection.predictions["croston_optimized"] = selection.predictions["y"]
    selection.predictions["seasonal_naive"] = selection.predictions["y"] + 1000.0
    choice, out = _with_calibration_residuals(
        selection,
        train,
        candidates,
        _setup(40),
        scales=pd.Series(1.0, index=[0, 1, 2]),
        excluded={},
    )
    chosen = choice.set_index("unique_id")
    assert chosen["model"].to_dict() == {
        0: "seasonal_naive",
        1: "croston_optimized",
        2: "seasonal_naive",
    }
    assert chosen.loc[0, "mase"] == pytest.approx(1000.0 / 101)
    flat, naive = (float(x.split("=")[1]) for x in chosen.loc[0, "scores"].split(";")[::-1])
    assert naive == pytest.approx(1000.0 / 101, rel=1e-3) and flat > naive
    # residuals of the long series: every extra error of the chosen seasonal naive is 0
    extra = out[(out["unique_id"] == 0) & (out["ds"] < train["ds"].max())]
    assert len(extra) == 100 and np.allclose(extra["y"], extra["yhat"])


def test_no_extra_windows_when_off_or_covered() -> None:
    candidates = ("seasonal_naive",)
    for periods in (0, 12):  # off; the 3 selection windows of 4 days already cover 12
        train, choice, out = _calibration_rows(periods, candidates, {})
        pd.testing.assert_frame_equal(out, _selection_rows(train))
        assert (choice["model"] == "seasonal_naive").all()


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
    candidates = ("seasonal_naive",)
    stand_in = _stand_in_selection(train, candidates, "seasonal_naive", {})
    selection, choice = stand_in.residuals, stand_in.choice

    def setup(seasonal: str, horizon: int) -> _ChosenBacktest:
        config = ForecastConfig(n_windows=3, calibration_periods=91, seasonal_calibration=seasonal)
        return _ChosenBacktest(config, Runner(), "D", "D", horizon, 7, 14)

    def residuals(seasonal: str, horizon: int) -> pd.DataFrame:
        chosen, out = _with_calibration_residuals(
            stand_in,
            train,
            candidates,
            setup(seasonal, horizon),
            scales=pd.Series(1.0, index=[0, 1]),
            excluded={},
        )
        assert (chosen["model"] == "seasonal_naive").all()
        return out

    expected = _with_seasonal_residuals(selection, train, choice, setup("replace", 7))
    pd.testing.assert_frame_equal(residuals("replace", 7), expected)
    assert len(residuals("off", 7)) == len(selection) + 2 * 10 * 7
    # calibration_windows(91, 4, 3): 76
    assert len(residuals("replace", 4)) == len(selection) + 2 * 76 * 4
