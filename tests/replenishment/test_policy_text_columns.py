"""Policy text columns read as pandas categoricals (the CLI's choice for files over
1,000,000 rows) with blanks: same validated policy as plain strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from replenishment import ReplenishmentInputError
from replenishment.inputs import normalize_policy


def policy_with_text(service_type: list[object], order_days: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": ["A", "B", "C"],
            "location": "X",
            "lead_time_days": 2,
            "review_period_days": 7,
            "service_level": 0.95,
            "service_type": service_type,
            "order_days": order_days,
        }
    )


def test_categorical_text_columns_with_blanks_validate_like_strings() -> None:
    plain = policy_with_text(["cycle", np.nan, "Fill_Rate"], ["Mon,Thu", None, "tue"])
    categorical = plain.astype({"service_type": "category", "order_days": "category"})
    expected = normalize_policy(plain)
    got = normalize_policy(categorical)
    assert list(got["service_type"]) == ["cycle", "fill_rate", "fill_rate"]  # blank: default
    assert list(got["order_days"]) == [frozenset({0, 3}), frozenset(), frozenset({1})]
    pd.testing.assert_frame_equal(got, expected)


def test_categorical_bad_value_is_named() -> None:
    bad = policy_with_text(["cycle", "weekly", np.nan], [None, None, None])
    with pytest.raises(ReplenishmentInputError, match="row 2 .*service_type must be one of"):
        normalize_policy(bad.astype({"service_type": "category", "order_days": "category"}))
