"""Features that mark the periods without sales (a feature recorded from the sales)."""

import numpy as np
import pandas as pd
import pytest

from forecasting.feature_checks import MIN_PERIODS, features_marking_zero_sales
from forecasting.inputs import prepare_inputs


def _history(units: np.ndarray, **features: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"units": units, **features})


def test_price_recorded_from_sales_is_named_and_a_promotion_flag_is_not() -> None:
    # 30 periods without sales, 70 with; price is 0 exactly when nothing sold except one
    # idle period with a price (29 / 30 = 97% >= 90%) and one sold period without (1 / 70
    # = 1.4% <= 5%); the promotion flag is 1 on every 5th period, idle or not
    units = np.r_[np.zeros(30), np.full(70, 4.0)]
    price = np.r_[np.zeros(29), 2.5, 0.0, np.full(69, 2.5)]
    promo = (np.arange(100) % 5 == 0).astype(float)
    warnings = features_marking_zero_sales(
        _history(units, price=price, on_promo=promo), ["price", "on_promo"]
    )
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "feature 'price' is 0 in 97% of the 30 history periods without sales and in 1.4% of"
        " the 70 with sales"
    )


@pytest.mark.parametrize(
    ("idle_zeros", "sold_zeros", "named"),
    [
        (27, 3, True),  # 27 / 30 = 90%, 3 / 70 = 4.3%: both at their bounds' side
        (26, 0, False),  # 26 / 30 = 87% of idle periods: not enough
        (30, 4, False),  # 4 / 70 = 5.7% of sold periods are 0 too
    ],
)
def test_the_two_shares_bound_the_check(idle_zeros: int, sold_zeros: int, named: bool) -> None:
    units = np.r_[np.zeros(30), np.full(70, 1.0)]
    feature = np.r_[
        np.zeros(idle_zeros),
        np.ones(30 - idle_zeros),
        np.zeros(sold_zeros),
        np.ones(70 - sold_zeros),
    ]
    assert bool(features_marking_zero_sales(_history(units, f=feature), ["f"])) is named


def test_too_few_periods_on_a_side_say_nothing_and_missing_values_do_not_count() -> None:
    short = MIN_PERIODS - 1
    units = np.r_[np.zeros(short), np.ones(50)]
    feature = np.r_[np.zeros(short), np.ones(50)]
    assert features_marking_zero_sales(_history(units, f=feature), ["f"]) == []
    # 30 idle periods, of which 11 without a value: 19 given, below MIN_PERIODS
    units = np.r_[np.zeros(30), np.ones(50)]
    feature = np.r_[np.full(11, np.nan), np.zeros(19), np.ones(50)]
    assert features_marking_zero_sales(_history(units, f=feature), ["f"]) == []


def test_prepare_inputs_warns_and_keeps_the_feature() -> None:
    dates = pd.date_range("2024-01-01", periods=60, freq="D")
    units = np.where(np.arange(60) % 2 == 0, 0.0, 3.0)
    history = pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "date": dates,
            "units": units,
            "price": np.where(units > 0, 1.9, 0.0),
        }
    )
    future = pd.DataFrame(
        {"sku": "A", "location": "L", "date": pd.date_range("2024-03-01", periods=3), "price": 1.9}
    )
    prep = prepare_inputs(history, 3, freq="D", future=future)
    assert any(
        w.startswith("feature 'price' is 0 in 100% of the 30 history periods")
        for w in prep.warnings
    )
    assert prep.features == ("price",)
