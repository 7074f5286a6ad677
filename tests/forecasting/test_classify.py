"""Syntetos-Boylan classification on hand-made series (ADI/CV^2 computed by hand)."""

import math

import pytest

from forecasting.classify import classify_demand


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
