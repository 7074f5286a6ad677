"""`forecasting.selection.best_combinations`: single best model or the mean of the 2..k best,
whichever backtests lowest, on hand-made backtest predictions."""

import numpy as np
import pandas as pd

from forecasting.runner import Runner
from forecasting.selection import best_combinations, select_models
from tests.forecasting.helpers import weekly_pattern_history


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
