"""Property tests (hypothesis) of plan_replenishment."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from replenishment import plan_replenishment

DATES = pd.date_range("2024-01-01", periods=40, freq="D")


def frames(mean: float, sd: float, on_hand: float, on_order: float, **policy: object):
    fc = pd.DataFrame(
        {
            "sku": "A",
            "location": "X",
            "date": DATES,
            "mean": mean,
            "p10": max(mean - 1.2816 * sd, 0.0),
            "p90": mean + 1.2816 * sd,
        }
    )
    inv = pd.DataFrame(
        {"sku": ["A"], "location": ["X"], "on_hand": [on_hand], "on_order": [on_order]}
    )
    row = {
        "sku": "A",
        "location": "X",
        "lead_time_days": 3,
        "review_period_days": 7,
        "service_level": 0.95,
    }
    row.update(policy)
    return fc, inv, pd.DataFrame([row])


means = st.floats(0.5, 500)
sds = st.floats(0.0, 200)
stocks = st.floats(-50, 5000)
levels = st.floats(0.5, 0.995)
service_types = st.sampled_from(["fill_rate", "cycle"])
policy_types = st.sampled_from(["order_up_to", "s_q", "s_s"])


@settings(max_examples=25, deadline=None)
@given(means, sds, levels, levels, st.floats(0, 30), service_types)
def test_order_up_to_rises_with_service_level(mean, sd, a, b, lead, service_type) -> None:
    lo, hi = sorted((a, b))
    results = [
        plan_replenishment(
            *frames(
                mean, sd, 0, 0, service_level=level, lead_time_days=lead, service_type=service_type
            )
        ).loc[0, "order_up_to"]
        for level in (lo, hi)
    ]
    assert results[1] >= results[0] - 1e-9


@settings(max_examples=25, deadline=None)
@given(means, st.floats(0.1, 200), st.floats(0, 10), st.floats(0, 10), levels, service_types)
def test_order_up_to_rises_with_lead_time_variability(mean, sd, a, b, level, service_type) -> None:
    # sigma > 0 throughout: d(z sigma)/d sigma = phi(z) / (1 - Phi(z)) > 0 for fill rates, and
    # z >= 0 for cycle service >= 0.5 (with sigma = 0 the engine holds no safety stock at all)
    lo, hi = sorted((a, b))
    results = [
        plan_replenishment(
            *frames(
                mean,
                sd,
                0,
                0,
                service_level=level,
                lead_time_std_days=std,
                service_type=service_type,
            )
        ).loc[0, "order_up_to"]
        for std in (lo, hi)
    ]
    assert results[1] >= results[0] - 1e-6


@settings(max_examples=60, deadline=None)
@given(
    means,
    sds,
    stocks,
    st.floats(0, 1000),
    levels,
    service_types,
    policy_types,
    st.integers(1, 48),
    st.floats(0, 500),
    st.one_of(st.none(), st.floats(0, 3000)),
    st.one_of(st.none(), st.floats(1, 30)),
)
def test_orders_are_never_negative_and_respect_moq_and_packs(
    mean, sd, on_hand, on_order, level, service_type, policy_type, pack, moq, max_units, shelf
) -> None:
    policy = {
        "service_level": level,
        "service_type": service_type,
        "policy_type": policy_type,
        "pack_size": pack,
        "moq": moq,
    }
    if max_units is not None:
        policy["max_units"] = max_units
    if shelf is not None:
        policy["shelf_life_days"] = shelf
    row = plan_replenishment(*frames(mean, sd, on_hand, on_order, **policy)).loc[0]
    qty = row["order_qty"]
    assert qty >= 0
    if qty > 0:
        assert np.isclose(qty / pack, round(qty / pack))
        assert qty >= moq - 1e-9
        if max_units is not None:
            assert on_hand + on_order + qty <= max_units + 1e-6
    assert isinstance(row["explanation"], str) and row["explanation"].endswith(".")
