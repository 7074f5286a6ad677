"""The greedy baseline rule of the benchmark (issue 5), on hand-solved cases."""

from __future__ import annotations

import pandas as pd
import pytest

from warehouses.allocation import allocate_stock
from warehouses.allocation.greedy import allocate_greedy

STOCK = pd.DataFrame({"sku": ["A", "A"], "location": ["R1", "R2"], "available": [5, 5]})
NEEDS = pd.DataFrame(
    {"sku": ["A", "A"], "location": ["F1", "F2"], "need": [5, 5], "shortage_cost": [10.0, 5.0]}
)
LANES = pd.DataFrame(
    {
        "origin": ["R1", "R2", "R1"],
        "destination": ["F1", "F1", "F2"],
        "cost_per_unit": [1.0, 2.0, 1.0],
        "capacity_units": [None] * 3,
    }
)


def test_greedy_takes_the_nearest_origin_for_the_costliest_shortage_first():
    # F1 (10/unit unmet) first, from its nearest origin R1; R1 is then empty and R2 has no
    # lane to F2: greedy = 5 * 1 + 5 * 5 = 30. The optimum feeds F1 from R2 and F2 from R1:
    # 5 * 2 + 5 * 1 = 15.
    greedy = allocate_greedy(STOCK, NEEDS, LANES)
    assert greedy.shipments.values.tolist() == [["A", "R1", "F1", 5]]
    assert greedy.summary.objective == pytest.approx(30.0)
    assert greedy.summary.status == "heuristic"
    optimal = allocate_stock(STOCK, NEEDS, LANES)
    assert optimal.summary.objective == pytest.approx(15.0)


def test_greedy_respects_capacities_and_skips_lanes_dearer_than_the_shortage():
    lanes = LANES.assign(capacity_units=[3, None, None], cost_per_unit=[1.0, 2.0, 6.0])
    capacity = pd.DataFrame({"location": ["F1"], "free_capacity_units": [4]})
    greedy = allocate_greedy(STOCK, NEEDS, lanes, capacity=capacity)
    # F1: 3 from R1 (lane cap 3), 1 from R2 (site cap 4); F2: lane costs 6 > 5, not used.
    assert greedy.shipments.values.tolist() == [["A", "R1", "F1", 3], ["A", "R2", "F1", 1]]
    assert greedy.summary.objective == pytest.approx(3 * 1 + 1 * 2 + 1 * 10 + 5 * 5)
