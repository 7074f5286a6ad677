"""Hand-solved allocation cases with known optimum (issue 5)."""

from __future__ import annotations

import pandas as pd
import pytest

from warehouses.allocation import AllocationOptions, allocate_stock


def frame(columns: str, *rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns.split(","))


def shipped(result, sku: str, origin: str, destination: str) -> int:
    rows = result.shipments[
        (result.shipments["sku"] == sku)
        & (result.shipments["origin"] == origin)
        & (result.shipments["destination"] == destination)
    ]
    return int(rows["units"].sum())


LANES = "origin,destination,cost_per_unit,capacity_units"


def test_shortage_goes_to_the_site_with_the_lower_shortage_cost():
    # 10 units for 16 needed: F1 (5/unit unmet) is filled first, F2 (3/unit) gets the rest.
    # optimum = 10 shipped * 1 + 6 unmet * 3 = 28
    result = allocate_stock(
        frame("sku,location,available", ("A", "R", 10)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 8, 5.0), ("A", "F2", 8, 3.0)),
        frame(LANES, ("R", "F1", 1.0, None), ("R", "F2", 1.0, None)),
    )
    assert shipped(result, "A", "R", "F1") == 8
    assert shipped(result, "A", "R", "F2") == 2
    summary = result.summary
    assert summary.status == "optimal"
    assert summary.objective == pytest.approx(28.0)
    assert summary.transport_cost == pytest.approx(10.0)
    assert summary.shortage_units == 6
    assert summary.shortage_cost == pytest.approx(18.0)
    assert summary.best_bound == pytest.approx(28.0)
    assert list(result.shipments.columns) == ["sku", "origin", "destination", "units"]
    fills = result.fills.set_index("location")
    assert fills.loc["F2", "unmet"] == 6 and fills.loc["F1", "unmet"] == 0


def test_lane_capacity_shared_by_skus_is_binding():
    # lane capacity 5 shared by A (10/unit unmet, need 4) and B (4/unit unmet, need 4):
    # A gets 4, B gets 1. optimum = 5 * 1 + 3 * 4 = 17
    result = allocate_stock(
        frame("sku,location,available", ("A", "R", 10), ("B", "R", 10)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 4, 10.0), ("B", "F1", 4, 4.0)),
        frame(LANES, ("R", "F1", 1.0, 5)),
    )
    assert shipped(result, "A", "R", "F1") == 4
    assert shipped(result, "B", "R", "F1") == 1
    assert result.summary.objective == pytest.approx(17.0)


def test_front_site_free_capacity_is_binding():
    # F1 can take 3 more units in total: all go to A. optimum = 3 + 1 * 10 + 4 * 4 = 29
    result = allocate_stock(
        frame("sku,location,available", ("A", "R", 10), ("B", "R", 10)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 4, 10.0), ("B", "F1", 4, 4.0)),
        frame(LANES, ("R", "F1", 1.0, None)),
        capacity=frame("location,free_capacity_units", ("F1", 3)),
    )
    assert shipped(result, "A", "R", "F1") == 3
    assert shipped(result, "B", "R", "F1") == 0
    assert result.summary.objective == pytest.approx(29.0)


def test_transfer_from_a_surplus_front_is_cheaper_than_shortage_and_than_regional():
    # F2's surplus of 3 moves to F1 at 1/unit; the other 2 come from R at 2/unit.
    # optimum = 3 * 1 + 2 * 2 = 7
    result = allocate_stock(
        frame("sku,location,available", ("A", "R", 10), ("A", "F2", 3)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 5, 4.0)),
        frame(LANES, ("R", "F1", 2.0, None), ("F2", "F1", 1.0, None)),
    )
    assert shipped(result, "A", "F2", "F1") == 3
    assert shipped(result, "A", "R", "F1") == 2
    assert result.summary.objective == pytest.approx(7.0)


def test_no_transfer_when_shortage_is_cheaper_than_the_lane():
    # unmet costs 0.5/unit, the lane 1/unit: leave the need unmet. optimum = 5 * 0.5
    result = allocate_stock(
        frame("sku,location,available", ("A", "F2", 5)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 5, 0.5)),
        frame(LANES, ("F2", "F1", 1.0, None)),
    )
    assert result.shipments.empty
    assert result.summary.objective == pytest.approx(2.5)
    assert result.summary.shortage_units == 5


LOCATIONS = frame(
    "location,name,kind,parent,backup,latitude,longitude,capacity_units",
    ("R1", "North", "regional", None, "R2", 0, 0, 1000),
    ("R2", "South", "regional", None, "R1", 0, 0, 1000),
    ("F1", "Front 1", "front", "R1", "F2", 0, 0, 100),
    ("F2", "Front 2", "front", "R1", "F1", 0, 0, 100),
    ("F3", "Front 3", "front", "R2", None, 0, 0, 100),
)


def test_down_front_need_moves_to_its_backup_and_its_stock_is_unavailable():
    # F1 is down: its need of 6 moves to F2 (own need 4) -> 10 units to F2 from R1.
    # F1's surplus of B is unavailable, so B at F3 stays unmet (cost 2 * 7).
    result = allocate_stock(
        frame("sku,location,available", ("A", "R1", 20), ("B", "F1", 9)),
        frame(
            "sku,location,need,shortage_cost",
            ("A", "F1", 6, 5.0),
            ("A", "F2", 4, 5.0),
            ("B", "F3", 2, 7.0),
        ),
        frame(LANES, ("R1", "F1", 1.0, None), ("R1", "F2", 1.5, None), ("F1", "F3", 0.1, None)),
        locations=LOCATIONS,
        down=["F1"],
    )
    assert shipped(result, "A", "R1", "F2") == 10
    assert shipped(result, "A", "R1", "F1") == 0
    assert result.summary.objective == pytest.approx(10 * 1.5 + 2 * 7.0)
    moved = result.fills[result.fills["location"] == "F1"].iloc[0]
    assert moved["served_at"] == "F2" and moved["shipped"] == 6
    assert any("F1 is down: its needs move to its backup F2" in w for w in result.warnings)
    assert any("F1 is down: its stock of 9 units" in w for w in result.warnings)


def test_down_regional_fronts_are_fed_by_its_backup():
    # R1 is down; its backup R2 feeds F1 over lane R2->F1 (cost 3).
    result = allocate_stock(
        frame("sku,location,available", ("A", "R1", 20), ("A", "R2", 20)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 6, 5.0)),
        frame(LANES, ("R1", "F1", 1.0, None), ("R2", "F1", 3.0, None), ("R1", "F2", 1.0, None)),
        locations=LOCATIONS,
        down=["R1"],
    )
    assert shipped(result, "A", "R2", "F1") == 6
    assert result.summary.objective == pytest.approx(18.0)
    # the lane R2 -> F2 is missing: said clearly
    assert any("R2 has no lane to F2" in w for w in result.warnings)


def test_backup_chain_skips_down_backups():
    # F1 and its backup F2 are both down; F2's backup is F1 -> nowhere to go: need stays unmet
    result = allocate_stock(
        frame("sku,location,available", ("A", "R1", 20)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 6, 5.0)),
        frame(LANES, ("R1", "F1", 1.0, None), ("R1", "F2", 1.0, None)),
        locations=LOCATIONS,
        down=["F1", "F2"],
    )
    assert result.shipments.empty
    assert result.summary.shortage_units == 6
    assert any("no backup that is up" in w for w in result.warnings)


FAIR_STOCK = frame("sku,location,available", ("A", "R", 10))
FAIR_NEEDS = frame("sku,location,need,shortage_cost", ("A", "F1", 10, 5.0), ("A", "F2", 10, 3.0))
FAIR_LANES = frame(LANES, ("R", "F1", 1.0, None), ("R", "F2", 1.0, None))


@pytest.mark.parametrize(
    ("gap", "to_f1", "to_f2", "objective"),
    [
        (None, 10, 0, 10 + 10 * 3.0),  # cost only: all to F1
        # overall fill 0.5; F2 needs >= (0.5 - 0.2) * 10 - 1 = 2 units
        (0.2, 8, 2, 10 + 2 * 5.0 + 8 * 3.0),
        # proportional within one unit: F2 >= 0.5 * 10 - 1 = 4
        (0.0, 6, 4, 10 + 4 * 5.0 + 6 * 3.0),
    ],
)
def test_fairness_mode_bounds_how_far_a_fill_ratio_falls_below_the_others(
    gap, to_f1, to_f2, objective
):
    result = allocate_stock(
        FAIR_STOCK, FAIR_NEEDS, FAIR_LANES, options=AllocationOptions(fairness_max_gap=gap)
    )
    assert shipped(result, "A", "R", "F1") == to_f1
    assert shipped(result, "A", "R", "F2") == to_f2
    assert result.summary.objective == pytest.approx(objective)
    assert result.summary.status == "optimal"


def test_minimum_shipment_per_lane():
    # min 5 units per lane: F3->F2 (4 units) is not worth a truck, nor is R->F2 with 2.
    # Best: R->F1 8 units, F2 unmet: 8 * 1 + 8 * 3 = 32 (vs 18 without the minimum).
    stock = frame("sku,location,available", ("A", "R", 10), ("A", "F3", 4))
    needs = frame("sku,location,need,shortage_cost", ("A", "F1", 8, 5.0), ("A", "F2", 8, 3.0))
    lanes = frame(LANES, ("R", "F1", 1, None), ("R", "F2", 1, 6), ("F3", "F2", 0.5, None))
    free = allocate_stock(stock, needs, lanes)
    assert free.summary.objective == pytest.approx(18.0)
    result = allocate_stock(stock, needs, lanes, options=AllocationOptions(min_shipment_units=5))
    assert result.summary.objective == pytest.approx(32.0)
    assert result.summary.status == "optimal"
    per_lane = result.shipments.groupby(["origin", "destination"])["units"].sum()
    assert (per_lane >= 5).all()
    assert shipped(result, "A", "R", "F1") == 8


@pytest.mark.parametrize("solver", ["highs", "sat"])
def test_every_mip_backend_proves_the_same_optimum(solver):
    options = AllocationOptions(mip_solver=solver, lp_first=False, fairness_max_gap=0.2)
    result = allocate_stock(FAIR_STOCK, FAIR_NEEDS, FAIR_LANES, options=options)
    assert result.summary.status == "optimal"
    assert result.summary.solver == solver
    assert result.summary.objective == pytest.approx(44.0)
    assert result.summary.best_bound == pytest.approx(44.0, abs=1e-6)


def test_nothing_to_do_is_an_empty_optimal_plan():
    result = allocate_stock(
        frame("sku,location,available", ("A", "R", 10)),
        frame("sku,location,need,shortage_cost", ("A", "F1", 0, 5.0)),
        frame(LANES, ("R", "F1", 1.0, None)),
    )
    assert result.shipments.empty
    assert result.summary.objective == 0.0
    assert result.summary.status == "optimal"


@pytest.mark.parametrize("solver", ["highs", "sat"])
def test_mip_fallback_after_a_fractional_lp_proves_the_same_optimum(monkeypatch, solver):
    # Force the "LP vertex not integral" branch: the MIP (CP-SAT with the rounded-down
    # LP as a hint) must prove the optimum the LP path finds.
    import warehouses.allocation.solve as solve

    monkeypatch.setattr(solve, "_is_integral", lambda model, values: False)
    result = allocate_stock(
        frame("sku,location,available", ("A", "R", 10), ("B", "R", 3)),
        frame(
            "sku,location,need,shortage_cost",
            ("A", "F1", 8, 5.0),
            ("A", "F2", 8, 3.0),
            ("B", "F2", 4, 9.0),
        ),
        frame(LANES, ("R", "F1", 1.0, None), ("R", "F2", 1.0, 7)),
        options=AllocationOptions(mip_solver=solver),
    )
    # B's 3 units go to F2 (9/unit unmet); A: 8 to F1 (5/unit), the remaining 2 to F2
    # (lane F2 carries 5 <= 7). cost = 13 shipped * 1 + A unmet at F2 6 * 3 + B unmet 1 * 9 = 40
    assert result.summary.solver == solver
    assert not result.summary.lp_integral
    assert result.summary.status == "optimal"
    assert result.summary.objective == pytest.approx(40.0)
    assert result.summary.best_bound == pytest.approx(40.0, abs=1e-6)
