"""Group seasonal indices: a season shared by the locations of a SKU, a level per series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from forecasting.candidates import candidates_for
from forecasting.group_seasonal import (
    MODEL_NAME,
    IndexPool,
    centred_moving_average,
    group_seasonal_cross_validation,
    group_seasonal_forecast,
    group_seasonal_indices,
    held_trend,
    ratio_observations,
    season_positions,
)
from forecasting.runner import Runner
from tests.forecasting.helpers import id_frame, seasonal_sku_pool

SEASON_A = np.array([2.0, 1.0, 0.5, 0.5])  # mean 1
SEASON_B = np.array([0.5, 0.5, 1.0, 2.0])


def test_centred_moving_average_of_even_and_odd_seasons() -> None:
    y = np.arange(1.0, 9.0)
    # 2 x 4 average: weights 1/8, 1/4, 1/4, 1/4, 1/8; a straight line is its own average
    np.testing.assert_allclose(
        centred_moving_average(y, 4), [np.nan, np.nan, 3, 4, 5, 6, np.nan, np.nan]
    )
    # hand-computed on a non-linear series: (1/8*0 + 1/4*(4+0+8) + 1/8*0) = 3
    np.testing.assert_allclose(centred_moving_average(np.array([0.0, 4, 0, 8, 0]), 4)[2], 3.0)
    np.testing.assert_allclose(
        centred_moving_average(np.array([1.0, 2, 6, 4]), 3), [np.nan, 3, 4, np.nan]
    )


def test_season_positions_follow_months_and_364_day_years() -> None:
    months = pd.to_datetime(["2020-01-01", "2020-07-01", "2021-01-01", "2021-12-01"])
    np.testing.assert_array_equal(season_positions(months, "M", 12), [0, 6, 0, 11])
    weeks = pd.date_range("2011-02-04", periods=60, freq="7D")
    positions = season_positions(weeks, "W", 52)
    assert positions[52] == positions[0]  # 52 weeks on: the same week of the year
    np.testing.assert_array_equal(np.diff(positions[:10]), np.ones(9))


def test_ratio_observations_start_half_a_season_after_the_first_sale() -> None:
    y = np.r_[np.zeros(4), 10 * np.tile(SEASON_A, 3)]  # first sale at t = 4
    obs = ratio_observations(id_frame({1: y}), 4, "M")
    # t - 2 >= 4: t = 6..15, the 10 periods whose trend starts after the launch (t = 14, 15
    # with the trend held at its last centred value)
    assert len(obs) == 10
    # a constant level times a season of mean 1: every trend is the level, every ratio the index
    np.testing.assert_allclose(obs["trend"], 10.0)
    np.testing.assert_allclose(obs["y"] / obs["trend"], SEASON_A[obs["position"].to_numpy()])


def test_trend_is_held_at_its_last_centred_value_over_the_last_half_season() -> None:
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 9, 20])
    # centred 2 x 4 averages at t = 2..6, by hand: t = 5: 4/8 + (5 + 6 + 7)/4 + 9/8 = 6.125;
    # t = 6: 5/8 + (6 + 7 + 9)/4 + 20/8 = 8.625, held at t = 7, 8
    np.testing.assert_allclose(
        held_trend(y, 4), [np.nan, np.nan, 3, 4, 5, 6.125, 8.625, 8.625, 8.625]
    )
    assert np.isnan(held_trend(np.ones(3), 4)).all()  # shorter than a window
    # and at its first centred value (t = 2: 3) over the first half season
    np.testing.assert_allclose(
        held_trend(y, 4, hold_start=True), [3, 3, 3, 4, 5, 6.125, 8.625, 8.625, 8.625]
    )


def test_a_series_selling_since_the_data_began_counts_from_its_first_period() -> None:
    # two seasons of a level of 10 x SEASON_A: one from the first date of the data, one
    # starting two months later (its first sale is a launch within the data); 6 periods
    # after the first half season, fewer than two seasons (HOLD_START_SEASONS)
    established = id_frame({1: 10 * np.tile(SEASON_A, 2)})
    launched = id_frame({2: 10 * np.tile(SEASON_A, 2)}, start="2020-03-01")
    obs = ratio_observations(pd.concat([established, launched], ignore_index=True), 4, "M")
    counts = obs.groupby("unique_id").size()
    # held at both ends: all 8 periods; launched: t - 2 >= 0, t = 2..7
    assert counts.to_dict() == {1: 8, 2: 6}
    own = obs[obs["unique_id"] == 1]
    np.testing.assert_allclose(own["trend"], 10.0)
    np.testing.assert_allclose(own["y"] / own["trend"], SEASON_A[own["position"].to_numpy()])
    # so every position of the season has an observation after two seasons (not 2 of 4
    # positions with one observation each, as without the held start)
    assert set(own["position"]) == {0, 1, 2, 3}
    # with two observations of every position without it (2.5 seasons), no held start:
    # t = 2..9
    longer = ratio_observations(id_frame({1: 10 * np.tile(SEASON_A, 3)[:10]}), 4, "M")
    assert len(longer) == 8


def test_group_indices_shrink_toward_the_pooled_index_by_their_count() -> None:
    train = id_frame({1: 10 * np.tile(SEASON_A, 4)[:14], 2: 10 * np.tile(SEASON_B, 4)[:14]})
    ratios = ratio_observations(train, 4, "M")  # t = 2..13: 3 per series and position
    groups = pd.Series({1: "A", 2: "B"})
    pooled, table = group_seasonal_indices(ratios, groups, 4, shrink=20.0)
    # pooled: (sum of both series' y) / (sum of their trends) = (A + B) / 2 per position
    np.testing.assert_allclose(pooled, [1.25, 0.75, 0.75, 1.25])
    # A: (3 x own + 20 x pooled) / 23 = [31, 18, 16.5, 26.5] / 23, already of mean 1
    np.testing.assert_allclose(table.loc["A"], np.array([31, 18, 16.5, 26.5]) / 23)
    _, unshrunk = group_seasonal_indices(ratios, groups, 4, shrink=0.0)
    np.testing.assert_allclose(unshrunk.loc["B"], SEASON_B)
    one_pool, empty = group_seasonal_indices(ratios, None, 4)
    np.testing.assert_allclose(one_pool, pooled)
    assert empty.empty


def test_forecast_is_each_level_times_the_shared_season() -> None:
    # five locations of two SKUs with one season and levels 10..50; series 6 sold for only
    # 5 months (no season of its own to estimate) and takes its SKU's from the others
    series = {i + 1: level * np.tile(SEASON_A, 4) for i, level in enumerate([10.0, 20.0, 30.0])}
    series.update({4: 40 * np.tile(SEASON_A, 4), 5: 50 * np.tile(SEASON_A, 4)})
    series[6] = np.r_[np.zeros(11), 7.0 * SEASON_A[3], 7.0 * SEASON_A]
    train = id_frame(series)
    groups = pd.Series({1: "A", 2: "A", 3: "A", 4: "B", 5: "B", 6: "A"})
    kwargs = dict(
        runner=Runner(), sf_freq="MS", freq="M", season_length=4, pool=IndexPool(train, groups)
    )
    out = group_seasonal_forecast(train, 6, **kwargs)
    assert list(out.columns) == ["unique_id", "ds", MODEL_NAME]
    got = out.set_index("unique_id")[MODEL_NAME]
    # the horizon starts at period 16, position 0: level x the season, from its first period
    expected = np.tile(SEASON_A, 2)[:6]
    for uid, level in [(1, 10.0), (3, 30.0), (5, 50.0), (6, 7.0)]:
        np.testing.assert_allclose(got.loc[uid], level * expected, rtol=1e-3)
    only = group_seasonal_forecast(train, 6, predict_ids=[6], **kwargs)
    assert set(only["unique_id"]) == {6}
    np.testing.assert_allclose(only[MODEL_NAME], got.loc[6].to_numpy())


def test_cross_validation_uses_no_data_after_each_origin() -> None:
    rng = np.random.default_rng(3)
    series = {i: 20 * np.tile(SEASON_A, 6) + rng.normal(0, 1, 24) for i in range(1, 5)}
    train = id_frame(series)
    kwargs = dict(runner=Runner(), sf_freq="MS", freq="M", season_length=4)
    cv = group_seasonal_cross_validation(train, 4, 2, **kwargs)
    cutoffs = sorted(cv["cutoff"].unique())
    assert [pd.Timestamp(c) for c in cutoffs] == [
        pd.Timestamp("2021-04-01"),
        pd.Timestamp("2021-08-01"),
    ]
    assert len(cv) == 4 * 2 * 4
    # change every value after the first origin: the first window's forecasts stay
    changed = train.copy()
    changed.loc[changed["ds"] > cutoffs[0], "y"] *= 3.0
    again = group_seasonal_cross_validation(changed, 4, 2, **kwargs)
    first = cv[cv["cutoff"] == cutoffs[0]][MODEL_NAME].to_numpy()
    np.testing.assert_allclose(again[again["cutoff"] == cutoffs[0]][MODEL_NAME], first)
    assert not np.allclose(
        again[again["cutoff"] == cutoffs[1]][MODEL_NAME], cv[cv["cutoff"] == cutoffs[1]][MODEL_NAME]
    )
    # direct forecast from the data up to the origin gives the same numbers
    direct = group_seasonal_forecast(train[train["ds"] <= cutoffs[0]], 4, **kwargs)
    np.testing.assert_allclose(direct[MODEL_NAME], first)


@pytest.mark.parametrize(
    ("freq", "with_global", "tried"),
    [("M", True, True), ("W", True, True), ("D", True, False), ("M", False, False)],
)
def test_candidate_on_weekly_and_monthly_data_with_conformal_intervals(
    freq: str, with_global: bool, tried: bool
) -> None:
    season = {"M": 12, "W": 52, "D": 7}[freq]
    names = candidates_for(
        "smooth", None, freq=freq, n_obs=800, season_length=season, with_global=with_global
    )
    assert (MODEL_NAME in names) is tried
    assert MODEL_NAME not in candidates_for(
        "lumpy", None, freq=freq, n_obs=800, season_length=season
    )


def test_short_noisy_series_of_one_sku_choose_the_shared_season() -> None:
    # 12 agencies of one SKU, 42 months each: a strong shared season, levels 20..130, noise of
    # sd 15% of the level. Per series 3.5 observations of each month: AutoETS's own season is
    # noisy, the group's is estimated from 12 x 3 ratios a month.
    rng = np.random.default_rng(11)
    season = 1 + 0.6 * np.sin(2 * np.pi * np.arange(12) / 12)
    rows = []
    truth = {}
    for i in range(12):
        level = 20.0 + 10 * i
        months = pd.date_range("2019-01-01", periods=48, freq="MS")
        y = level * season[months.month - 1] * (1 + rng.normal(0, 0.15, 48))
        truth[f"A{i}"] = level * season[months.month[42:] - 1]
        rows.append(
            pd.DataFrame({"sku": "S1", "location": f"A{i}", "date": months[:42], "units": y[:42]})
        )
    history = pd.concat(rows, ignore_index=True)
    result = forecast(history, 6, freq="M", config=ForecastConfig(holiday_country=None))
    chosen = result.selection.set_index("location")["model"]
    assert chosen.str.contains(MODEL_NAME).mean() >= 0.5, chosen.to_dict()
    errors = [
        np.abs(g["mean"].to_numpy() - truth[loc]).mean() / truth[loc].mean()
        for loc, g in result.forecasts.groupby("location")
    ]
    # within 10% of the true expected demand on average (the noise alone is 15% a month)
    assert np.mean(errors) < 0.10, errors


@pytest.mark.slow
def test_dask_runner_gives_the_local_forecasts() -> None:
    pytest.importorskip("distributed")
    train, groups = seasonal_sku_pool()
    kwargs = dict(sf_freq="MS", freq="M", season_length=12, pool=IndexPool(train, groups))
    local = group_seasonal_forecast(train, 6, runner=Runner(), **kwargs)
    dask = group_seasonal_forecast(train, 6, runner=Runner(engine="dask"), **kwargs)
    pd.testing.assert_frame_equal(local, dask, check_exact=False, rtol=1e-6)


# statsforecast's AutoETS divides by (periods - parameters - 1) for its variance: 0 on 4 periods
@pytest.mark.filterwarnings("ignore:divide by zero encountered in scalar divide:RuntimeWarning")
def test_a_new_location_takes_its_season_from_the_pool_in_a_backtest() -> None:
    # three locations of SKU A sold for 4 years; a fourth opened 6 months before the end
    series = {i: level * np.tile(SEASON_A, 12) for i, level in [(1, 10.0), (2, 20.0), (3, 30.0)]}
    history = id_frame(series)
    dates = pd.date_range("2020-01-01", periods=48, freq="MS")
    new = pd.DataFrame({"unique_id": 4, "ds": dates[-6:], "y": 7.0 * np.tile(SEASON_A, 12)[-6:]})
    history = pd.concat([history, new], ignore_index=True)
    pool = IndexPool(history, pd.Series({1: "A", 2: "A", 3: "A", 4: "A"}))
    kwargs = dict(runner=Runner(), sf_freq="MS", freq="M", season_length=4)
    # origin 2 periods before the end: the new location has 4 periods, no season of its own
    cv = group_seasonal_cross_validation(new, 2, 1, pool=pool, **kwargs)
    np.testing.assert_allclose(cv[MODEL_NAME], cv["y"], rtol=1e-3)
    # without the pool its indices come from its own 4 periods: none, so no season
    alone = group_seasonal_cross_validation(new, 2, 1, **kwargs)
    assert not np.allclose(alone[MODEL_NAME], alone["y"], rtol=0.1)


def test_intervals_are_autoets_intervals_of_the_deseasonalised_series_times_the_index() -> None:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    rng = np.random.default_rng(4)
    series = {i: 10.0 * i * np.tile(SEASON_A, 5) * rng.gamma(50, 0.02, 20) for i in (1, 2, 3)}
    train = id_frame(series)
    kwargs = dict(runner=Runner(), sf_freq="MS", freq="M", season_length=4)
    out = group_seasonal_forecast(train, 4, level=[80], **kwargs)
    # the same by hand: indices of the one pooled group, statsforecast on the quotient
    pooled, _ = group_seasonal_indices(ratio_observations(train, 4, "M"), None, 4)
    quotient = train.assign(y=train["y"] / pooled[season_positions(train["ds"], "M", 4)])
    direct = StatsForecast(models=[AutoETS(season_length=1)], freq="MS").forecast(
        df=quotient, h=4, level=[80]
    )
    index = pooled[season_positions(direct["ds"], "M", 4)]
    for ours, theirs in [("", ""), ("-lo-80", "-lo-80"), ("-hi-80", "-hi-80")]:
        np.testing.assert_allclose(
            out[MODEL_NAME + ours], direct["AutoETS" + theirs].to_numpy() * index, rtol=1e-6
        )
    assert (out[f"{MODEL_NAME}-lo-80"] < out[MODEL_NAME]).all()
    assert (out[MODEL_NAME] < out[f"{MODEL_NAME}-hi-80"]).all()


def test_series_too_short_to_backtest_take_the_shared_season_with_model_intervals() -> None:
    # six agencies of one SKU with 24 months each: under the 3 x 6 + 13 = 31 periods a
    # selection backtest needs, so no series is backtested and no conformal errors exist
    rng = np.random.default_rng(2)
    season = 1 + 0.5 * np.sin(2 * np.pi * np.arange(12) / 12)
    months = pd.date_range("2021-01-01", periods=30, freq="MS")
    rows, truth = [], {}
    for i in range(6):
        level = 40.0 + 15 * i
        y = level * season[months.month - 1] * rng.gamma(100, 0.01, 30)
        truth[f"A{i}"] = level * season[months.month[24:] - 1]
        rows.append(
            pd.DataFrame({"sku": "S", "location": f"A{i}", "date": months[:24], "units": y[:24]})
        )
    result = forecast(pd.concat(rows), 6, freq="M", config=ForecastConfig(holiday_country=None))
    assert set(result.selection["model"]) == {MODEL_NAME}
    fc = result.forecasts
    assert fc[["p10", "p50", "p90"]].notna().all().all()
    assert ((fc["p10"] <= fc["p50"]) & (fc["p50"] <= fc["p90"])).all()
    errors = [
        np.abs(g["mean"].to_numpy() - truth[loc]).mean() / truth[loc].mean()
        for loc, g in fc.groupby("location")
    ]
    assert np.mean(errors) < 0.08, errors  # the season's swing is +-50%
