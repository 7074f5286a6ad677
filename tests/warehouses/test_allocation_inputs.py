"""Invalid or inconsistent allocation input: a clear error naming every bad row (issue 5)."""

from __future__ import annotations

import pandas as pd
import pytest

from warehouses.allocation import AllocationInputError, AllocationOptions, allocate_stock

STOCK = pd.DataFrame({"sku": ["A"], "location": ["R"], "available": [10]})
NEEDS = pd.DataFrame({"sku": ["A"], "location": ["F1"], "need": [4], "shortage_cost": [2.0]})
LANES = pd.DataFrame(
    {"origin": ["R"], "destination": ["F1"], "cost_per_unit": [1.0], "capacity_units": [None]}
)
LOCATIONS = pd.DataFrame(
    {
        "location": ["R", "F1", "F2"],
        "kind": ["regional", "front", "front"],
        "parent": [None, "R", "R"],
        "backup": [None, "F2", "R"],
    }
)


def problems(**changes) -> list[str]:
    arguments = {"stock": STOCK, "needs": NEEDS, "lanes": LANES, **changes}
    with pytest.raises(AllocationInputError) as caught:
        allocate_stock(
            arguments.pop("stock"), arguments.pop("needs"), arguments.pop("lanes"), **arguments
        )
    assert isinstance(caught.value, ValueError)
    return [str(problem) for problem in caught.value.problems]


def test_negative_stock_names_the_row():
    stock = pd.DataFrame({"sku": ["A", "B"], "location": ["R", "R"], "available": [10, -3]})
    assert problems(stock=stock) == [
        "stock row 1 column available: must be a finite number >= 0, got -3"
    ]


def test_fractional_units_and_text_are_rejected_every_one_reported():
    needs = pd.DataFrame(
        {
            "sku": ["A", "B", "C"],
            "location": ["F1"] * 3,
            "need": ["2.5", "x", "1"],
            "shortage_cost": ["1", "1", ""],
        }
    )
    assert problems(needs=needs) == [
        "needs row 0 column need: must be a whole number of units, got 2.5",
        "needs row 1 column need: not a number: 'x'",
        "needs row 2 column shortage_cost: missing value",
    ]


def test_lane_to_an_unknown_site():
    lanes = pd.DataFrame(
        {
            "origin": ["R", "R"],
            "destination": ["F1", "F9"],
            "cost_per_unit": [1.0, 1.0],
            "capacity_units": [None, 5],
        }
    )
    [message] = problems(lanes=lanes)
    assert message.startswith("lanes row 1 column destination: lane to unknown site 'F9'")
    [message] = problems(lanes=lanes, locations=LOCATIONS)
    assert message == "lanes row 1 column destination: unknown site 'F9' (not in locations)"


def test_need_at_a_regional_site():
    needs = pd.DataFrame({"sku": ["A"], "location": ["R"], "need": [4], "shortage_cost": [2.0]})
    assert problems(needs=needs, locations=LOCATIONS) == [
        "needs row 0 column location: need at regional site 'R'; needs are only at front sites"
    ]


def test_duplicates_self_lanes_and_missing_columns():
    stock = pd.concat([STOCK, STOCK], ignore_index=True)
    lanes = pd.DataFrame({"origin": ["R"], "destination": ["R"], "cost_per_unit": [1.0]})
    assert problems(stock=stock, lanes=lanes) == [
        "stock row 1: duplicate row for sku=A, location=R",
        "lanes row 0 column destination: lane from R to itself",
    ]
    assert problems(needs=NEEDS.drop(columns=["shortage_cost"])) == [
        "needs column shortage_cost: missing required column 'shortage_cost'"
    ]


def test_down_sites_need_locations_and_must_be_known():
    assert problems(down=["F1"]) == ["down: sites marked down need locations (their backup column)"]
    assert problems(down=["F7"], locations=LOCATIONS) == ["down: unknown site 'F7' marked down"]


def test_down_front_whose_backup_is_regional_is_an_error():
    # F2's backup is the regional R: its needs cannot move there
    needs = pd.DataFrame({"sku": ["A"], "location": ["F2"], "need": [4], "shortage_cost": [2.0]})
    lanes = pd.concat(
        [
            LANES,
            pd.DataFrame(
                {
                    "origin": ["R"],
                    "destination": ["F2"],
                    "cost_per_unit": [1.0],
                    "capacity_units": [None],
                }
            ),
        ]
    )
    [message] = problems(needs=needs, lanes=lanes, locations=LOCATIONS, down=["F2"])
    assert message.startswith("locations row 2 column backup: front F2 is down and its backup R")


def test_capacity_column_of_the_data_formats_is_accepted():
    lanes = LANES.rename(columns={"capacity_units": "capacity_units_per_day"}).assign(
        capacity_units_per_day=[3]
    )
    result = allocate_stock(STOCK, NEEDS, lanes)
    assert result.shipments["units"].tolist() == [3]


@pytest.mark.parametrize(
    "arguments",
    [
        {"fairness_max_gap": 1.5},
        {"min_shipment_units": -1},
        {"min_shipment_units": 2.5},
        {"time_limit_seconds": 0},
        {"mip_solver": "scip"},
        {"lp_solver": "pdlp"},
    ],
)
def test_invalid_options(arguments):
    with pytest.raises(ValueError):
        AllocationOptions(**arguments)


def test_fractional_stock_and_capacities_are_rounded_down_exactly():
    # 7.9 available, lane 5.5, site 5.2: at most 5 whole units can move
    stock = pd.DataFrame({"sku": ["A"], "location": ["R"], "available": [7.9]})
    needs = NEEDS.assign(need=[9])
    lanes = LANES.assign(capacity_units=[5.5])
    capacity = pd.DataFrame({"location": ["F1"], "free_capacity_units": [5.2]})
    result = allocate_stock(stock, needs, lanes, capacity=capacity)
    assert result.shipments["units"].tolist() == [5]
    assert result.summary.shortage_units == 4
