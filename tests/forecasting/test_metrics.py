"""Accuracy measures against hand-computed values."""

import math

import pytest

from forecasting.metrics import (
    bias,
    coverage,
    mase,
    rmsse,
    seasonal_naive_scale,
    since_first_sale,
    wape,
)
from forecasting.quantiles import interval_levels, parse_quantiles, quantile_column


def test_mase_hand_example() -> None:
    # Hyndman & Koehler (2006) definition, m = 1: train 1,3,2,4 -> |diffs| 2,1,2 -> scale 5/3
    scale = seasonal_naive_scale([1, 3, 2, 4], season_length=1)
    assert scale == pytest.approx(5 / 3)
    # test 5,6 vs forecast 4,4 -> MAE 1.5 -> MASE 1.5 / (5/3) = 0.9
    assert mase([5, 6], [4, 4], scale) == pytest.approx(0.9)


def test_seasonal_scale_uses_season_lag() -> None:
    # m = 2: train 1,2,3,5 -> |3-1|, |5-2| = 2, 3 -> 2.5
    assert seasonal_naive_scale([1, 2, 3, 5], season_length=2) == pytest.approx(2.5)
    # squared: (4 + 9)/2 = 6.5
    assert seasonal_naive_scale([1, 2, 3, 5], season_length=2, power=2) == pytest.approx(6.5)


def test_scale_history_starts_at_the_first_sale() -> None:
    assert list(since_first_sale([0, 0, 3, 0, 5])) == [3.0, 0.0, 5.0]
    assert list(since_first_sale([2, 0])) == [2.0, 0.0]
    assert since_first_sale([0, 0, 0]).size == 0
    # an empty history has no scale
    assert math.isnan(seasonal_naive_scale(since_first_sale([0, 0]), season_length=1))


def test_rmsse_wape_bias_coverage() -> None:
    # errors 1, -3: MSE 5; scale^2 = 5 -> RMSSE 1
    assert rmsse([4, 2], [5, -1], 5.0) == pytest.approx(1.0)
    # WAPE = (1 + 3) / (4 + 2) ; bias = (1 - 3) / 6
    assert wape([4, 2], [5, -1]) == pytest.approx(4 / 6)
    assert bias([4, 2], [5, -1]) == pytest.approx(-2 / 6)
    assert coverage([1, 5, 10], [0, 6, 9], [2, 7, 10]) == pytest.approx(2 / 3)


def test_zero_scale_and_zero_actuals() -> None:
    assert mase([1, 1], [1, 1], 0.0) == 0.0
    assert math.isnan(mase([1, 2], [1, 1], 0.0))
    assert math.isnan(wape([0, 0], [1, 1]))


def test_quantile_names_and_levels() -> None:
    assert [quantile_column(q) for q in (0.05, 0.1, 0.5, 0.9, 0.95)] == [
        "p05",
        "p10",
        "p50",
        "p90",
        "p95",
    ]
    assert parse_quantiles("0.9, 0.1,0.5") == (0.1, 0.5, 0.9)
    assert interval_levels((0.05, 0.1, 0.5, 0.9, 0.95)) == [80, 90]
    with pytest.raises(ValueError):
        quantile_column(1.0)
    with pytest.raises(ValueError):
        quantile_column(0.125)
