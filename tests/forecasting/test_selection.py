"""`forecasting.selection.best_combinations`: single best model or the mean of the 2..k best,
whichever backtests lowest, on hand-made backtest predictions."""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from forecasting.runner import Runner
from forecasting.selection import (
    best_combinations,
    leaving_a_candidate,
    select_models,
    shrunk_combinations,
)
from tests.forecasting.helpers import record_shrinkage, weekly_pattern_history


def _mae(values: np.ndarray, y: np.ndarray, row_of: np.ndarray, n: int) -> np.ndarray:
    return np.vstack(
        [np.abs(values[row_of == i] - y[row_of == i, None]).mean(axis=0) for i in range(n)]
    )


def test_three_model_mean_wins_when_it_backtests_best() -> None:
    # one series, one backtest point y = 10; candidates a = 12, b = 8, c = 11:
    # MAE a 2, b 2, c 1 -> order c, a, b (ties stable); mean(c, a) = 11.5 (MAE 1.5, loses to
    # c's 1); mean(c, a, b) = 31 / 3 (MAE 1/3) wins.
    values = np.array([[12.0, 8.0, 11.0]])
    y = np.array([10.0])
    row_of = np.array([0])
    mae = _mae(values, y, row_of, 1)
    members, best, yhat = best_combinations(values, y, row_of, mae, ensemble_top=3)
    assert members == [(2, 0, 1)]
    np.testing.assert_allclose(best, [1.0 / 3.0])
    np.testing.assert_allclose(yhat, [31.0 / 3.0])
    # limited to pairs: the pair does not beat c, so c alone
    members, best, yhat = best_combinations(values, y, row_of, mae, ensemble_top=2)
    assert members == [(2,)]
    np.testing.assert_allclose(best, [1.0])
    np.testing.assert_allclose(yhat, [11.0])


def test_pair_kept_when_the_triple_is_worse_and_series_are_independent() -> None:
    # series 0: y = 10, a = 13, b = 8, c = 11 -> c (1), mean(c, b) = 9.5 (0.5) wins,
    #   mean of all three 32 / 3 (0.67) does not;
    # series 1: y = 5 at two points, a exact -> a alone.
    values = np.array([[13.0, 8.0, 11.0], [5.0, 9.0, 1.0], [5.0, 1.0, 9.0]])
    y = np.array([10.0, 5.0, 5.0])
    row_of = np.array([0, 1, 1])
    mae = _mae(values, y, row_of, 2)
    members, best, yhat = best_combinations(values, y, row_of, mae, ensemble_top=3)
    assert members == [(2, 1), (0,)]
    np.testing.assert_allclose(best, [0.5, 0.0])
    np.testing.assert_allclose(yhat, [9.5, 5.0, 5.0])


def test_candidate_without_backtest_error_is_never_in_a_combination() -> None:
    # y = 10; a = 12 (MAE 2), b = 9 (MAE 1), c has no error (inf, e.g. not applicable):
    # mean(b, a) = 10.5 (0.5) wins; the "3 best" would include c, so it is not scored
    values = np.array([[12.0, 9.0, 10.0]])
    y = np.array([10.0])
    row_of = np.array([0])
    mae = np.array([[2.0, 1.0, np.inf]])
    members, best, yhat = best_combinations(values, y, row_of, mae, ensemble_top=3)
    assert members == [(1, 0)]
    np.testing.assert_allclose(best, [0.5])
    np.testing.assert_allclose(yhat, [10.5])


def test_excluded_candidate_is_not_chosen_even_when_it_backtests_best() -> None:
    """Two series repeating WEEK exactly: seasonal naive backtests without error and wins
    both; excluded for series 1 (as for a product sold for less than one season), series 1
    gets AutoETS, alone (no ensemble with the excluded model)."""
    frame = weekly_pattern_history(days=70, pairs=(("A", "L"), ("B", "L")))
    train = pd.DataFrame(
        {
            "unique_id": (frame["sku"] == "B").astype(int).to_numpy(),
            "ds": frame["date"].to_numpy(),
            "y": frame["units"].to_numpy(),
        }
    )
    scales = pd.Series(1.0, index=[0, 1])
    kwargs = dict(
        runner=Runner(), sf_freq="D", freq="D", season_length=7, scales=scales, ensemble_top=2
    )
    plain = select_models(train, ("seasonal_naive", "auto_ets"), 7, 2, **kwargs)
    assert list(plain.choice["model"]) == ["seasonal_naive", "seasonal_naive"]
    masked = select_models(
        train,
        ("seasonal_naive", "auto_ets"),
        7,
        2,
        excluded={"seasonal_naive": pd.Index([1])},
        **kwargs,
    )
    assert list(masked.choice["model"]) == ["seasonal_naive", "auto_ets"]
    # interval errors of series 1 come from AutoETS too
    res = masked.residuals[masked.residuals["unique_id"] == 1]
    assert res["yhat"].notna().all()


def _two_series_two_candidates() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # y = 10 on one point each; series 0: a = 11 (MAE 1), b = 12 (2); series 1: a = 14 (4),
    # b = 11 (1). Own scores log(MAE / series mean MAE): series 0 a log(2/3), b log(4/3);
    # series 1 a log(1.6), b log(0.4). Shared: a (log(2/3) + log(1.6)) / 2 = 0.0323,
    # b (log(4/3) + log(0.4)) / 2 = -0.3143 (b is the better model over both series).
    values = np.array([[11.0, 12.0], [14.0, 11.0]])
    y = np.array([10.0, 10.0])
    row_of = np.array([0, 1])
    return values, y, row_of, _mae(values, y, row_of, 2)


def test_shrinkage_pulls_a_series_towards_the_group_choice() -> None:
    values, y, row_of, mae = _two_series_two_candidates()
    # series 0 prefers a on its own and b with the group: a - b = (1 - s)(-0.6931) +
    # s (0.3466), zero at s = 2/3
    members, best, yhat = shrunk_combinations(values, y, row_of, mae, 1, 0.5)
    assert members == [(0,), (1,)]
    np.testing.assert_allclose(best, [1.0, 1.0])
    np.testing.assert_allclose(yhat, [11.0, 11.0])
    members, best, yhat = shrunk_combinations(values, y, row_of, mae, 1, 0.8)
    assert members == [(1,), (1,)]
    np.testing.assert_allclose(best, [2.0, 1.0])
    np.testing.assert_allclose(yhat, [12.0, 11.0])
    # shrinkage 0 is the per-series choice of best_combinations
    assert (
        shrunk_combinations(values, y, row_of, mae, 1, 0.0)[0]
        == (best_combinations(values, y, row_of, mae, 1)[0])
    )


def test_shrunk_pairs_compete_and_skip_a_member_without_error() -> None:
    values, y, row_of, mae = _two_series_two_candidates()
    # pair mean: series 0 11.5 (MAE 1.5 = its mean, own 0), series 1 12.5 (2.5, own 0):
    # shared 0 > b's -0.3143, so with full shrinkage b still wins for both
    members, _, _ = shrunk_combinations(values, y, row_of, mae, 2, 1.0)
    assert members == [(1,), (1,)]
    # b has no backtest error on series 1 (not applicable): only a applies there (own
    # log(4 / 4) = 0, its mean MAE now a's alone); b's shared score comes from series 0
    # alone, log(4/3) = 0.2877, above a's (log(2/3) + 0) / 2 = -0.2027
    mae[1, 1] = np.inf
    members, best, _ = shrunk_combinations(values, y, row_of, mae, 2, 1.0)
    assert members == [(0,), (0,)]
    np.testing.assert_allclose(best, [1.0, 4.0])


def test_a_pair_of_members_both_excluded_for_a_series_scores_inf_without_warning() -> None:
    # series 1 has no prediction from a nor b (both excluded there): the pair a+b has no
    # mean for it (no "Mean of empty slice" warning) and never applies; c is its choice
    values = np.array([[10.0, 12.0, 13.0], [np.nan, np.nan, 9.0]])
    y = np.array([10.0, 10.0])
    row_of = np.array([0, 1])
    mae = np.array([[0.0, 2.0, 3.0], [np.inf, np.inf, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        members, best, yhat = shrunk_combinations(values, y, row_of, mae, 2, 0.5)
        best_members, _, _ = best_combinations(values, y, row_of, mae, 2)
    assert members[1] == (2,)
    assert best[1] == 1.0
    assert yhat[1] == 9.0
    assert list(best_members[1][:1]) == [2]


def test_one_perfect_backtest_does_not_outvote_the_group() -> None:
    # series 0: a exact (MAE 0), b 2 -> ratios to its mean (1): a 0, clipped to 0.01, b 2;
    # series 1-5: a 4, b 1 -> ratios 1.6, 0.4. Shared log ratio: a (log 0.01 + 5 log 1.6) /
    # 6 = -0.376, b (log 2 + 5 log 0.4) / 6 = -0.648, so b for all with full shrinkage;
    # unclipped, log 0 would make a win everywhere
    values = np.array([[10.0, 12.0]] + [[14.0, 11.0]] * 5)
    y = np.full(6, 10.0)
    row_of = np.arange(6)
    mae = _mae(values, y, row_of, 6)
    members, _, _ = shrunk_combinations(values, y, row_of, mae, 1, 1.0)
    assert members == [(1,)] * 6
    # on its own, series 0 keeps its perfect model
    assert shrunk_combinations(values, y, row_of, mae, 1, 0.5)[0][0] == (0,)


def test_default_config_pools_the_choice_and_zero_turns_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = record_shrinkage(monkeypatch)
    history = weekly_pattern_history(days=84, pairs=(("A", "L1"), ("B", "L1"), ("C", "L1")))
    config = ForecastConfig(models=("seasonal_naive", "auto_ets"), n_windows=2)
    assert config.selection_shrinkage == 0.5
    pooled = forecast(history, 7, config=config)
    assert seen and set(seen) == {0.5}
    seen.clear()
    alone = forecast(history, 7, config=dataclasses.replace(config, selection_shrinkage=0.0))
    assert seen == []
    # an exact weekly pattern: seasonal naive is exact on every series, alone or pooled
    assert set(pooled.selection["model"]) == set(alone.selection["model"]) == {"seasonal_naive"}


def test_leaving_a_candidate_keeps_every_candidate_where_all_would_go() -> None:
    excluded = {
        "seasonal_naive": pd.Index([1, 2, 3]),
        "lightgbm": pd.Index([2, 3, 4]),
        "mstl": pd.Index([1]),  # not a candidate: dropped
    }
    one = leaving_a_candidate(excluded, ("seasonal_naive", "auto_ets", "lightgbm"))
    assert {n: list(ids) for n, ids in one.items()} == {
        "seasonal_naive": [1, 2, 3],
        "lightgbm": [2, 3, 4],
    }
    # 2 and 3 would have neither candidate: they keep both
    both = leaving_a_candidate(excluded, ("seasonal_naive", "lightgbm"))
    assert {n: list(ids) for n, ids in both.items()} == {
        "seasonal_naive": [1],
        "lightgbm": [4],
    }


def test_a_model_named_alone_is_kept_where_it_would_be_excluded() -> None:
    # sold for 10 of 40 months: SeasonalNaive is never chosen for it among other candidates
    # (it would copy the months before the launch), but named alone it is the caller's model
    dates = pd.date_range("2019-01-01", periods=40, freq="MS")
    units = np.r_[np.zeros(30), np.arange(10) + 5.0]
    history = pd.DataFrame({"sku": "S", "location": "L", "date": dates, "units": units})
    result = forecast(
        history,
        6,
        freq="M",
        config=ForecastConfig(models=("seasonal_naive",), holiday_country=None),
    )
    # a year back from 2022-05..10: 2021-05..10, i.e. positions 28..33
    np.testing.assert_allclose(result.forecasts["mean"], units[28:34])
    assert set(result.forecasts["model"]) == {"seasonal_naive"}
