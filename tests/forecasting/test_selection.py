"""`forecasting.selection.best_combinations`: single best model or the mean of the 2..k best,
whichever backtests lowest, on hand-made backtest predictions."""

import numpy as np

from forecasting.selection import best_combinations


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
