"""Syntetos-Boylan classification on hand-made series (ADI/CV^2 computed by hand)."""

import math

import numpy as np
import pandas as pd
import pytest

from forecasting.classify import NO_SALES, classes_at_origins, classify_demand


def test_smooth_series() -> None:
    # every period sells; sizes 10, 12, 8, 10: mean 10, pop. std sqrt(2) -> CV^2 = 0.02
    p = classify_demand([10, 12, 8, 10])
    assert p.adi == pytest.approx(1.0)
    assert p.cv2 == pytest.approx(0.02)
    assert p.demand_class == "smooth"


def test_erratic_series() -> None:
    # sizes 1, 10, 1, 10: mean 5.5, std 4.5 -> CV^2 = (4.5/5.5)^2 = 0.669
    p = classify_demand([1, 10, 1, 10])
    assert p.adi == pytest.approx(1.0)
    assert p.cv2 == pytest.approx((4.5 / 5.5) ** 2)
    assert p.demand_class == "erratic"


def test_intermittent_series_ignores_leading_zeros() -> None:
    # leading zeros dropped; active part 5,0,0,5,0,0: 6 periods / 2 sales = ADI 3, CV^2 0
    p = classify_demand([0, 0, 0, 5, 0, 0, 5, 0, 0])
    assert p.adi == pytest.approx(3.0)
    assert p.cv2 == pytest.approx(0.0)
    assert p.demand_class == "intermittent"


def test_lumpy_series() -> None:
    # active 1,0,20,0: ADI 2; sizes 1, 20: mean 10.5, std 9.5 -> CV^2 = 0.8186
    p = classify_demand([1, 0, 20, 0])
    assert p.adi == pytest.approx(2.0)
    assert p.cv2 == pytest.approx((9.5 / 10.5) ** 2)
    assert p.demand_class == "lumpy"


def test_boundary_adi_exactly_cutoff_is_intermittent() -> None:
    # 33 periods with 25 sales of equal size: ADI = 1.32 exactly -> intermittent (>= cut-off)
    series = [1] * 25 + [0] * 8
    p = classify_demand(series)
    assert p.adi == pytest.approx(1.32)
    assert p.demand_class == "intermittent"


def test_no_demand_is_its_own_class_not_lumpy() -> None:
    p = classify_demand([0, 0, 0])
    assert math.isinf(p.adi)
    assert math.isnan(p.cv2)
    assert p.demand_class == "no_sales"


def test_classes_at_origins_classify_the_history_up_to_each_cutoff() -> None:
    # (0, 2, 2, 0, 9): up to day 3 sizes (2, 2) every period since the first sale ->
    # smooth; up to day 5 ADI 4 / 3 = 1.33 >= 1.32 and sizes (2, 2, 9): mean 13 / 3,
    # pop. variance 98 / 9, CV^2 = 0.58 -> lumpy; day 1 has no sale yet -> no_sales;
    # before the first date there is no history -> NaN
    train = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=5), "y": [0, 2, 2, 0, 9.0]}
    )
    cutoffs = pd.to_datetime(["2024-01-03", "2024-01-05", "2024-01-01", "2023-12-31"])
    origins = pd.DataFrame({"unique_id": "a", "cutoff": cutoffs}, index=[10, 11, 12, 13])
    got = classes_at_origins(train, origins)
    assert list(got.index) == [10, 11, 12, 13]
    assert got.iloc[:3].tolist() == ["smooth", "lumpy", NO_SALES] and pd.isna(got.iloc[3])
    assert classify_demand([0, 2, 2, 0, 9]).cv2 == pytest.approx(98 / 9 / (13 / 3) ** 2)
    assert classes_at_origins(train.iloc[:0], origins).isna().all()  # no history at all


def test_classes_at_origins_agree_with_classify_demand_on_each_truncated_history() -> None:
    """Random sparse and dense series, sizes up to ~10^6 (the running sums must not lose the
    CV^2 to rounding): every (series, cutoff) gets classify_demand's class of the history
    up to the cutoff."""
    rng = np.random.default_rng(0)
    frames = []
    for i in range(60):
        n = int(rng.integers(5, 40))
        sells = rng.random(n) < rng.uniform(0.1, 1.0)
        y = np.where(sells, rng.gamma(rng.uniform(0.3, 5.0), rng.uniform(1, 3e5), n).round(), 0)
        y[: int(rng.integers(0, 6))] = 0
        frames.append(
            pd.DataFrame({"unique_id": i, "ds": pd.date_range("2024-01-01", periods=n), "y": y})
        )
    train = pd.concat(frames, ignore_index=True)
    origins = train.sample(400, random_state=1)[["unique_id", "ds"]].rename(
        columns={"ds": "cutoff"}
    )
    got = classes_at_origins(train, origins)
    expected = [
        classify_demand(train.loc[(train["unique_id"] == u) & (train["ds"] <= c), "y"]).demand_class
        for u, c in origins.itertuples(index=False)
    ]
    assert got.tolist() == expected
    assert set(expected) == {"smooth", "erratic", "intermittent", "lumpy", NO_SALES}
