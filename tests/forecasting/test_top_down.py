"""Top-down forecasts: the group total's forecast split by each series' recent share."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from statsforecast import StatsForecast
from statsforecast.models import AutoETS

from forecasting import ForecastConfig, forecast
from forecasting.candidates import candidates_for
from forecasting.group_seasonal import IndexPool
from forecasting.runner import Runner
from forecasting.seasonal_change import LevelAdjustedSeasonalNaive
from forecasting.top_down import (
    MODEL_NAME,
    group_totals,
    recent_shares,
    top_down_cross_validation,
    top_down_forecast,
)
from tests.forecasting.helpers import id_frame, seasonal_sku_pool

SEASON = np.array([2.0, 1.0, 0.5, 0.5])


def test_totals_and_shares_by_hand() -> None:
    train = id_frame(
        {
            1: np.array([5.0, 1.0, 2.0, 4.0]),
            2: np.array([5.0, 3.0, 6.0, 8.0]),
            3: np.array([1.0, 1.0, 0.0, 0.0]),  # its group sold nothing in the last 2
        }
    )
    groups = pd.Series({1: "A", 2: "A", 3: "B"})
    totals = group_totals(train, groups)
    np.testing.assert_allclose(totals[totals["unique_id"] == "A"]["y"], [10, 4, 8, 12])
    np.testing.assert_allclose(totals[totals["unique_id"] == "B"]["y"], [1, 1, 0, 0])
    shares = recent_shares(train, groups, 2)
    # (2 + 4) / (2 + 4 + 6 + 8) and (6 + 8) / 20
    assert shares.to_dict() == pytest.approx({1: 0.3, 2: 0.7, 3: 0.0})
    # over all 4 periods: 12 / 34, 22 / 34; one group for all without labels
    assert recent_shares(train, groups, 4).loc[1] == pytest.approx(12 / 34)
    assert recent_shares(train, None, 2).loc[2] == pytest.approx(14 / 20)


def test_forecast_is_the_share_of_the_totals_ets_forecast() -> None:
    rng = np.random.default_rng(5)
    base = 10 * np.tile(SEASON, 6) * (1 + np.arange(24) / 48)
    series = {i: share * base * rng.gamma(25, 0.04, 24) for i, share in [(1, 1.0), (2, 3.0)]}
    series[3] = 40 * np.tile(SEASON, 6) * rng.gamma(25, 0.04, 24)
    train = id_frame(series)
    groups = pd.Series({1: "A", 2: "A", 3: "B"})
    out = top_down_forecast(
        train, 6, runner=Runner(), sf_freq="MS", season_length=4, pool=IndexPool(train, groups)
    )
    assert list(out.columns) == ["unique_id", "ds", MODEL_NAME]
    got = out.set_index("unique_id")[MODEL_NAME]
    # independently: statsforecast's AutoETS on each SKU's summed sales
    totals = pd.DataFrame(
        {
            "unique_id": ["A"] * 24 + ["B"] * 24,
            "ds": np.tile(pd.date_range("2020-01-01", periods=24, freq="MS"), 2),
            "y": np.r_[series[1] + series[2], series[3]],
        }
    )
    ets = StatsForecast(models=[AutoETS(season_length=4)], freq="MS").forecast(df=totals, h=6)
    total_a = ets[ets["unique_id"] == "A"]["AutoETS"].to_numpy()
    share_1 = series[1][-6:].sum() / (series[1][-6:].sum() + series[2][-6:].sum())
    np.testing.assert_allclose(got.loc[1], share_1 * total_a, rtol=1e-6)
    np.testing.assert_allclose(got.loc[1].to_numpy() + got.loc[2].to_numpy(), total_a, rtol=1e-6)
    # alone in its group: its own AutoETS forecast
    total_b = ets[ets["unique_id"] == "B"]["AutoETS"].to_numpy()
    np.testing.assert_allclose(got.loc[3], total_b, rtol=1e-6)
    # a longer share span and a subset to predict
    only = top_down_forecast(
        train,
        6,
        runner=Runner(),
        sf_freq="MS",
        season_length=4,
        pool=IndexPool(train, groups),
        predict_ids=[2],
        share_periods=12,
    )
    assert set(only["unique_id"]) == {2}
    share_2 = series[2][-12:].sum() / (series[1][-12:].sum() + series[2][-12:].sum())
    np.testing.assert_allclose(only[MODEL_NAME], share_2 * total_a, rtol=1e-6)


def test_weekly_totals_take_the_level_adjusted_seasonal_naive() -> None:
    rng = np.random.default_rng(2)
    weeks = 52 + 20
    year = 50 + 30 * np.sin(2 * np.pi * np.arange(weeks) / 52)
    series = {1: year * rng.gamma(30, 1 / 30, weeks), 2: 2 * year * rng.gamma(30, 1 / 30, weeks)}
    train = id_frame(series, freq="7D")
    out = top_down_forecast(train, 8, runner=Runner(), sf_freq="7D", season_length=52)
    total = series[1] + series[2]
    expected = LevelAdjustedSeasonalNaive(season_length=52).forecast(y=total, h=8)["mean"]
    share_2 = series[2][-8:].sum() / total[-8:].sum()
    got = out[out["unique_id"] == 2][MODEL_NAME].to_numpy()
    np.testing.assert_allclose(got, share_2 * expected, rtol=1e-6)
    # a total shorter than a season + 8 weeks: AutoETS without a season
    short = train[train["ds"] < train["ds"].min() + pd.Timedelta(weeks=40)]
    out = top_down_forecast(short, 8, runner=Runner(), sf_freq="7D", season_length=52)
    expected = AutoETS(season_length=1).forecast(y=total[:40], h=8)["mean"]
    got = out.groupby("ds")[MODEL_NAME].sum().to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_cross_validation_uses_no_data_after_each_origin() -> None:
    rng = np.random.default_rng(3)
    series = {i: 20 * i * np.tile(SEASON, 6) * rng.gamma(20, 0.05, 24) for i in range(1, 5)}
    train = id_frame(series)
    groups = pd.Series({1: "A", 2: "A", 3: "A", 4: "B"})
    kwargs = dict(runner=Runner(), sf_freq="MS", season_length=4, pool=IndexPool(train, groups))
    cv = top_down_cross_validation(train, 4, 2, **kwargs)
    cutoffs = sorted(cv["cutoff"].unique())
    assert [pd.Timestamp(c) for c in cutoffs] == [
        pd.Timestamp(d) for d in ("2021-04-01", "2021-08-01")
    ]
    assert len(cv) == 4 * 2 * 4
    # the pool changed after the first origin: the first window's forecasts stay
    changed = train.copy()
    changed.loc[changed["ds"] > cutoffs[0], "y"] *= 3.0
    again = top_down_cross_validation(
        changed, 4, 2, **{**kwargs, "pool": IndexPool(changed, groups)}
    )
    first = cv[cv["cutoff"] == cutoffs[0]][MODEL_NAME].to_numpy()
    np.testing.assert_allclose(again[again["cutoff"] == cutoffs[0]][MODEL_NAME], first)
    # the same numbers as a forecast from the data up to the origin
    direct = top_down_forecast(train[train["ds"] <= cutoffs[0]], 4, **kwargs)
    np.testing.assert_allclose(direct[MODEL_NAME], first)
    # only the series asked for, their shares still of the whole group
    some = top_down_cross_validation(train, 4, 2, predict_ids=[2], **kwargs)
    assert set(some["unique_id"]) == {2}
    np.testing.assert_allclose(some[MODEL_NAME], cv[cv["unique_id"] == 2][MODEL_NAME])


@pytest.mark.parametrize(
    ("freq", "with_global", "tried"),
    [("M", True, True), ("W", True, True), ("D", True, False), ("M", False, False)],
)
def test_candidate_for_continuous_weekly_and_monthly_demand(
    freq: str, with_global: bool, tried: bool
) -> None:
    season = {"M": 12, "W": 52, "D": 7}[freq]
    for demand_class in ("smooth", "erratic"):
        names = candidates_for(
            demand_class, None, freq=freq, n_obs=800, season_length=season, with_global=with_global
        )
        assert (MODEL_NAME in names) is tried
    assert MODEL_NAME not in candidates_for(
        "intermittent", None, freq=freq, n_obs=800, season_length=season
    )


def sku_history(n_locations: int, months: int, noise: float, seed: int) -> pd.DataFrame:
    """sku, location, date, units: one SKU at `n_locations` agencies sharing its season and
    growth, each a fixed share of it times independent gamma noise (sd `noise`)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2019-01-01", periods=months, freq="MS")
    total = (
        1000 * (1 + 0.5 * np.sin(2 * np.pi * (dates.month - 1) / 12)) * (1 + np.arange(months) / 60)
    )
    shares = rng.dirichlet(np.full(n_locations, 5.0))
    shape = 1 / noise**2
    rows = [
        pd.DataFrame(
            {
                "sku": "S1",
                "location": f"A{i:02d}",
                "date": dates,
                "units": share * total * rng.gamma(shape, 1 / shape, months),
            }
        )
        for i, share in enumerate(shares)
    ]
    return pd.concat(rows, ignore_index=True)


def test_engine_forecast_with_the_model_named_is_the_top_down_forecast() -> None:
    history = sku_history(5, 40, 0.2, seed=4)
    result = forecast(
        history, 6, freq="M", config=ForecastConfig(models=(MODEL_NAME,), holiday_country=None)
    )
    assert set(result.forecasts["model"]) == {MODEL_NAME}
    # directly: AutoETS on the SKU's total, split by the last 6 months' shares
    totals = history.groupby("date", as_index=False)["units"].sum()
    ets = AutoETS(season_length=12).forecast(y=totals["units"].to_numpy(), h=6)["mean"]
    recent = history[history["date"] > history["date"].max() - pd.DateOffset(months=6)]
    shares = recent.groupby("location")["units"].sum() / recent["units"].sum()
    for location, rows in result.forecasts.groupby("location"):
        np.testing.assert_allclose(rows["mean"], shares[location] * ets, rtol=1e-6)


def test_noisy_locations_of_one_sku_choose_the_top_down_forecast() -> None:
    # 12 agencies, 48 months, each a fixed share of the SKU's seasonal, growing sales with
    # 35% noise a month: the total is estimated from all of them, each location's level from
    # its recent months alone; AutoETS per location fits its season and trend to the noise
    history = sku_history(12, 48, 0.35, seed=9)
    result = forecast(history, 6, freq="M", config=ForecastConfig(holiday_country=None))
    selection = result.selection.set_index("location")
    # its backtest MASE below AutoETS's at every location ...
    scores = selection["scores"].map(lambda s: dict(kv.split("=") for kv in s.split(";")))
    for location, score in scores.items():
        assert float(score[MODEL_NAME]) < float(score["auto_ets"]), (location, score)
    # ... and in the forecast of most of them (alone or in an ensemble)
    chosen = selection["model"]
    assert chosen.str.contains(MODEL_NAME).mean() >= 0.5, chosen.to_dict()


@pytest.mark.slow
def test_dask_runner_gives_the_local_forecasts() -> None:
    pytest.importorskip("distributed")
    train, groups = seasonal_sku_pool()
    kwargs = dict(sf_freq="MS", season_length=12, pool=IndexPool(train, groups))
    local = top_down_forecast(train, 6, runner=Runner(), **kwargs)
    dask = top_down_forecast(train, 6, runner=Runner(engine="dask"), **kwargs)
    pd.testing.assert_frame_equal(local, dask, check_exact=False, rtol=1e-6)


def test_a_location_alone_in_its_sku_does_not_try_its_own_model_twice() -> None:
    history = pd.concat(
        [
            sku_history(4, 40, 0.3, seed=1),
            sku_history(1, 40, 0.3, seed=2).assign(sku="S2", location="B00"),
        ],
        ignore_index=True,
    )
    result = forecast(history, 6, freq="M", config=ForecastConfig(holiday_country=None))
    selection = result.selection.set_index("location")
    assert f"{MODEL_NAME}=inf" in selection.loc["B00", "scores"]
    assert MODEL_NAME not in selection.loc["B00", "model"]
    assert all(f"{MODEL_NAME}=inf" not in selection.loc[f"A0{i}", "scores"] for i in range(4))
    # named alone, it is what the caller gets: AutoETS on the location's own sales
    alone = history[history["sku"] == "S2"]
    only = forecast(
        alone, 6, freq="M", config=ForecastConfig(models=(MODEL_NAME,), holiday_country=None)
    )
    ets = AutoETS(season_length=12).forecast(y=alone["units"].to_numpy(), h=6)["mean"]
    np.testing.assert_allclose(only.forecasts["mean"], ets, rtol=1e-6)


def test_named_alone_without_backtest_windows_is_a_clear_error() -> None:
    history = sku_history(3, 40, 0.2, seed=4)
    config = ForecastConfig(models=(MODEL_NAME,), n_windows=0, holiday_country=None)
    with pytest.raises(ValueError, match=r"top_down_share has no intervals .* n_windows >= 1"):
        forecast(history, 6, freq="M", config=config)


def test_the_fast_setting_tries_it_on_monthly_data() -> None:
    assert MODEL_NAME in (ForecastConfig.fast().models or ())
    history = sku_history(6, 40, 0.3, seed=3)
    config = dataclasses.replace(ForecastConfig.fast(), holiday_country=None)
    result = forecast(history, 6, freq="M", config=config)
    scores = result.selection["scores"]
    assert scores.str.contains(f"{MODEL_NAME}=").all(), scores.tolist()
    assert not scores.str.contains(f"{MODEL_NAME}=inf").any(), scores.tolist()
