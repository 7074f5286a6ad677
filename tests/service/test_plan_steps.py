"""The daily plan's frame builders: hand-made frames, hand-computed answers."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from supplycast.plan_steps.allocate_step import allocation_rows, build_allocation_inputs
from supplycast.plan_steps.forecast_step import _promotion_features, build_forecast_inputs
from supplycast.plan_steps.inputs import (
    FleetParameters,
    PlanParameters,
    select_planning_inputs,
)
from supplycast.plan_steps.replenish_step import (
    aggregate_forecasts,
    review_period_from_order_days,
)
from supplycast.plan_steps.route_step import build_route_problems, route_leg_rows

Z90 = 1.2815515655446004  # standard normal 90% quantile
T = pd.Timestamp


def _frames(**overrides: pd.DataFrame) -> dict[str, pd.DataFrame]:
    frames = {
        "items": pd.DataFrame(
            {
                "sku": ["A", "B"],
                "category": ["bev", "dairy"],
                "unit_cost": [1.0, 2.0],
                "unit_price": [3.0, np.nan],
                "pack_size": [1, 1],
                "moq": [0, 0],
                "shelf_life_days": [None, 10],
            }
        ),
        "locations": pd.DataFrame(
            {
                "location": ["R1", "F1", "F2"],
                "name": ["r", "f1", "f2"],
                "kind": ["regional", "front", "front"],
                "parent": [None, "R1", "R1"],
                "backup": [None, "F2", "F1"],
                "latitude": [31.0, 31.1, 31.2],
                "longitude": [121.0, 121.1, 121.2],
                "capacity_units": [None, 100.0, np.nan],
            }
        ),
        "lanes": pd.DataFrame(
            {
                "origin": ["R1", "R1"],
                "destination": ["F1", "F2"],
                "transit_days": [1.0, 2.5],
                "cost_per_unit": [0.1, 0.2],
                "capacity_units_per_day": [np.nan, 50.0],
            }
        ),
        "supply": pd.DataFrame(
            columns=[
                "supplier",
                "sku",
                "location",
                "lead_time_days",
                "lead_time_std_days",
                "order_days",
            ]
        ),
        "sales": pd.DataFrame(
            {
                "sku": ["A", "A", "A"],
                "location": ["F1", "F1", "F1"],
                "date": [T("2025-01-01"), T("2025-01-02"), T("2025-01-03")],
                "units": [5.0, -1.0, 7.0],
            }
        ),
        "weather": pd.DataFrame(
            {
                "location": ["F1", "F1", "F1", "F1"],
                "date": [T("2025-01-02"), T("2025-01-02"), T("2025-01-03"), T("2025-01-03")],
                "kind": ["observed", "forecast", "observed", "forecast"],
                "temperature_c": [10.0, 11.0, 12.0, 13.0],
                "precipitation_mm": [0.0, 0.0, 0.0, 0.0],
            }
        ),
        "promotions": pd.DataFrame(
            columns=["sku", "location", "start_date", "end_date", "discount_pct"]
        ),
        "inventory": pd.DataFrame(
            {
                "sku": ["A", "A", "A", "A"],
                "location": ["F1", "F1", "F1", "R1"],
                "on_hand": [1.0, 2.0, 3.0, 40.0],
                "as_of": [T("2025-01-01"), T("2025-01-02"), T("2025-01-03"), T("2025-01-01")],
            }
        ),
        "purchase_orders": pd.DataFrame(
            {
                "order_id": ["P1", "P2"],
                "sku": ["A", "A"],
                "location": ["R1", "R1"],
                "units": [10.0, 20.0],
                "expected_date": [T("2025-01-02"), T("2025-01-03")],
            }
        ),
    }
    frames.update(overrides)
    return frames


def test_inputs_as_of_see_only_what_was_known() -> None:
    inputs = select_planning_inputs(_frames(), dt.date(2025, 1, 2), PlanParameters())
    assert list(inputs.sales["date"]) == [T("2025-01-01"), T("2025-01-02")]
    # latest count on or before the as-of date
    assert inputs.inventory.set_index(["sku", "location"])["on_hand"].to_dict() == {
        ("A", "F1"): 2.0,
        ("A", "R1"): 40.0,
    }
    assert list(inputs.purchase_orders["order_id"]) == ["P2"]  # still expected after D
    # observed up to D, forecast after D
    assert list(zip(inputs.weather["date"], inputs.weather["kind"], strict=True)) == [
        (T("2025-01-02"), "observed"),
        (T("2025-01-03"), "forecast"),
    ]
    assert inputs.plan_date == dt.date(2025, 1, 3)
    assert inputs.front_locations() == ["F1", "F2"] and inputs.regional_locations() == ["R1"]


def test_history_days_limits_the_sales_window() -> None:
    inputs = select_planning_inputs(_frames(), dt.date(2025, 1, 3), PlanParameters(history_days=2))
    assert list(inputs.sales["date"]) == [T("2025-01-02"), T("2025-01-03")]


def test_promotion_features_take_the_deepest_applicable_discount() -> None:
    promotions = pd.DataFrame(
        {
            "sku": ["A", "A"],
            "location": [None, "F1"],  # None = every location
            "start_date": [T("2025-01-03"), T("2025-01-04")],
            "end_date": [T("2025-01-05"), T("2025-01-04")],
            "discount_pct": [20.0, 30.0],
        }
    )
    keys = pd.DataFrame(
        {
            "sku": ["A", "A", "A", "B", "A"],
            "location": ["F1", "F1", "F2", "F1", "F2"],
            "date": [
                T("2025-01-02"),
                T("2025-01-04"),
                T("2025-01-04"),
                T("2025-01-04"),
                T("2025-01-06"),
            ],
        }
    )
    out = _promotion_features(keys, promotions)
    assert list(out["discount_pct"]) == [0.0, 30.0, 20.0, 0.0, 0.0]
    assert list(out["on_promo"]) == [0.0, 1.0, 1.0, 0.0, 0.0]


def test_promotion_features_reach_the_forecaster_when_they_vary() -> None:
    promotions = pd.DataFrame(
        {
            "sku": ["A"],
            "location": [None],
            "start_date": [T("2025-01-02")],
            "end_date": [T("2025-01-05")],
            "discount_pct": [15.0],
        }
    )
    params = PlanParameters(horizon_days=3)
    inputs = select_planning_inputs(_frames(promotions=promotions), dt.date(2025, 1, 3), params)
    history, future, _ = build_forecast_inputs(inputs, params)
    assert list(history["discount_pct"]) == [0.0, 15.0, 15.0]
    assert list(future["on_promo"]) == [1.0, 1.0, 0.0]  # 01-04, 01-05 on promotion, 01-06 not


def test_forecast_inputs_cover_the_horizon_and_drop_incomplete_weather() -> None:
    params = PlanParameters(horizon_days=3)
    inputs = select_planning_inputs(_frames(), dt.date(2025, 1, 3), params)
    history, future, warnings = build_forecast_inputs(inputs, params)
    assert list(history["units"]) == [5.0, -1.0, 7.0]  # returns kept; the forecaster nets them
    assert list(future["date"]) == list(pd.date_range("2025-01-04", periods=3))
    # no promotion in the data: the promotion features are constant and left out
    assert "on_promo" not in history.columns and "discount_pct" not in future.columns
    # weather lacks 2025-01-01 and the horizon: left out, with a warning
    assert "temperature_c" not in history.columns
    assert len(warnings) == 1 and "weather left out" in warnings[0]


@pytest.mark.parametrize(
    ("order_days", "review"),
    [
        ("Mon,Thu", 4.0),
        ("Mon", 7.0),
        ("Mon,Wed,Fri", 3.0),
        ("", 1.0),
        (None, 1.0),
        ("Mon,Tue,Wed,Thu,Fri,Sat,Sun", 1.0),
    ],
)
def test_review_period_is_the_longest_gap_between_order_days(
    order_days: str | None, review: float
) -> None:
    assert review_period_from_order_days(order_days) == review


def test_unknown_order_day_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown order day"):
        review_period_from_order_days("Mon,Xyz")


def test_regional_demand_adds_means_and_variances() -> None:
    day = T("2025-01-04")
    forecasts = pd.DataFrame(
        {
            "sku": ["A", "A"],
            "location": ["F1", "F2"],
            "date": [day, day],
            "mean": [10.0, 20.0],
            "p10": [10 - 2 * Z90, 20 - 3 * Z90],  # sigma 2 and 3
            "p50": [10.0, 20.0],
            "p90": [10 + 2 * Z90, 20 + 3 * Z90],
            "model": ["m", "m"],
        }
    )
    groups = pd.DataFrame({"sku": ["A", "A"], "location": ["F1", "F2"], "target": ["R1", "R1"]})
    out = aggregate_forecasts(forecasts, groups)
    assert len(out) == 1
    row = out.iloc[0]
    sigma = math.sqrt(2**2 + 3**2)
    assert (row["location"], row["mean"]) == ("R1", pytest.approx(30.0))
    assert row["p50"] == pytest.approx(30.0)
    assert row["p90"] == pytest.approx(30 + Z90 * sigma)
    assert row["p10"] == pytest.approx(30 - Z90 * sigma)


def test_allocation_inputs_needs_surplus_and_free_capacity() -> None:
    frames = _frames(
        inventory=pd.DataFrame(
            {
                "sku": ["A", "A", "B"],
                "location": ["R1", "F2", "F1"],
                "on_hand": [40.0, 50.5, 30.0],
                "as_of": [T("2025-01-03")] * 3,
            }
        )
    )
    inputs = select_planning_inputs(frames, dt.date(2025, 1, 3), PlanParameters())
    suggestions = pd.DataFrame(
        {
            "sku": ["A", "A", "B"],
            "location": ["F1", "F2", "F1"],
            "location_kind": ["front", "front", "front"],
            "order_qty": [12.0, 0.0, 6.0],
            "order_up_to": [12.0, 20.0, 36.0],
        }
    )
    stock, needs, lanes, capacity = build_allocation_inputs(
        inputs, suggestions, PlanParameters(default_shortage_cost=0.5)
    )
    # A@F1 needs 12 at price 3; B@F1 needs 6 and B has no price -> default 0.5.
    assert needs.to_dict("records") == [
        {"sku": "A", "location": "F1", "need": 12.0, "shortage_cost": 3.0},
        {"sku": "B", "location": "F1", "need": 6.0, "shortage_cost": 0.5},
    ]
    # R1 stock 40 of A; F2 surplus floor(50.5 - 20) = 30 of A.
    assert sorted(map(tuple, stock[["sku", "location", "available"]].values.tolist())) == [
        ("A", "F2", 30.0),
        ("A", "R1", 40.0),
    ]
    assert list(lanes.columns) == [
        "origin",
        "destination",
        "cost_per_unit",
        "capacity_units",
        "transit_days",
    ]
    # F1 capacity 100 - 30 on hand = 70; F2 has no capacity -> not listed.
    assert capacity.to_dict("records") == [{"location": "F1", "free_capacity_units": 70.0}]


def test_allocation_rows_dates() -> None:
    lanes = pd.DataFrame(
        {"origin": ["R1", "R1"], "destination": ["F1", "F2"], "transit_days": [1.0, 2.5]}
    )
    shipments = pd.DataFrame(
        {"sku": ["A", "A"], "origin": ["R1", "R1"], "destination": ["F1", "F2"], "units": [3, 4]}
    )
    rows = allocation_rows(shipments, lanes, dt.date(2025, 1, 4))
    assert list(rows["arrival_date"]) == [dt.date(2025, 1, 5), dt.date(2025, 1, 7)]  # ceil(2.5) = 3
    assert set(rows["ship_date"]) == {dt.date(2025, 1, 4)}


def test_route_problems_split_loads_above_one_truck() -> None:
    inputs = select_planning_inputs(_frames(), dt.date(2025, 1, 3), PlanParameters())
    shipments = pd.DataFrame(
        {
            "sku": ["A", "B", "A"],
            "origin": ["R1", "R1", "R1"],
            "destination": ["F1", "F1", "F2"],
            "units": [7000.0, 5000.0, 300.0],
        }
    )
    fleet = FleetParameters(vehicles_per_depot=3, capacity_units=5000)
    [(depot, lat, lon, stops, vehicles)] = build_route_problems(inputs, shipments, fleet)
    assert (depot, lat, lon) == ("R1", 31.0, 121.0)
    assert list(zip(stops["stop"], stops["demand_units"], strict=True)) == [
        ("F1#1", 5000.0),
        ("F1#2", 5000.0),
        ("F1#3", 2000.0),
        ("F2", 300.0),
    ]
    assert list(vehicles["vehicle"]) == ["R1-T1", "R1-T2", "R1-T3"]
    legs = pd.DataFrame(
        {
            "vehicle": ["R1-T1"] * 3,
            "sequence": [0, 1, 2],
            "stop": ["R1", "F1#2", "R1"],
            "arrival": [None, 390, "07:10"],
            "departure": ["06:00", 410.4, None],
            "load_after": [5000, 0, 0],
            "distance_km": [0.0, 12.0, 12.0],
        }
    )
    rows = route_leg_rows(legs, "R1", dt.date(2025, 1, 4))
    assert list(rows["stop"]) == ["R1", "F1", "R1"]
    assert list(rows["arrival"]) == [None, "06:30", "07:10"]
    assert list(rows["departure"]) == ["06:00", "06:50", None]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"service_level": 1.0},
        {"service_level": 0.0},
        {"horizon_days": 0},
        {"quantiles": (0.5, 1.2)},
        {"front_review_period_days": 0},
        {"history_days": 0},
        {"forecast_windows": 0},
        {"default_shortage_cost": -1},
    ],
)
def test_plan_parameters_validate(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PlanParameters(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"vehicles_per_depot": 0},
        {"capacity_units": 0},
        {"capacity_units": 2500.5},
        {"shift_start": "18:00", "shift_end": "06:00"},
    ],
)
def test_fleet_parameters_validate(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FleetParameters(**kwargs)  # type: ignore[arg-type]


def test_forecast_and_backtest_rows_map_to_the_tables() -> None:
    from supplycast.plan_steps.forecast_step import backtest_rows, forecast_rows

    forecasts = pd.DataFrame(
        {
            "sku": ["A"],
            "location": ["F1"],
            "date": [T("2025-01-04")],
            "mean": [5.0],
            "p05": [1.0],
            "p10": [2.0],
            "p50": [5.0],
            "p90": [8.0],
            "p95": [9.0],
            "model": ["auto_ets"],
        }
    )
    row = forecast_rows(forecasts).iloc[0]
    assert (row["p10"], row["p90"], row["quantiles"]) == (2.0, 8.0, {"p05": 1.0, "p95": 9.0})
    selection = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "location": ["F1", "F1"],
            "demand_class": ["smooth", "lumpy"],
            "model": ["auto_ets", "cold_start"],
            "mase": [0.8, np.nan],
            "cold_start": [False, True],
            "adi": [np.float64(1.0), np.float64(3.5)],
            "note": ["", None],
        }
    )
    out = backtest_rows(selection)
    assert list(out["cold_start"]) == [False, True]
    assert out["metrics"].tolist() == [{"adi": 1.0, "note": ""}, {"adi": 3.5, "note": None}]


@pytest.mark.parametrize(("stops", "seconds"), [(1, 1.0), (2, 1.0), (6, 3.0), (40, 5.0)])
def test_route_time_limit_scales_with_stops(stops: int, seconds: float) -> None:
    fleet = FleetParameters(time_limit_seconds=5.0, seconds_per_stop=0.5)
    assert fleet.route_time_limit(stops) == seconds


def test_replenishment_inputs_for_both_echelons_and_horizon_warning() -> None:
    from supplycast.plan_steps.replenish_step import build_replenishment_inputs

    supply = pd.DataFrame(
        {
            "supplier": ["S2", "S1"],
            "sku": ["A", "A"],
            "location": ["R1", "R1"],
            "lead_time_days": [6.0, 3.0],  # S1 is faster and wins
            "lead_time_std_days": [0.0, 1.0],
            "order_days": ["Mon", "Mon,Thu"],
        }
    )
    # as of 01-02: PO P2 (expected 01-03) is still open; P1 (01-02) is in the count already
    inputs = select_planning_inputs(_frames(supply=supply), dt.date(2025, 1, 2), PlanParameters())
    day = T("2025-01-03")
    forecasts = pd.DataFrame(
        {
            "sku": ["A", "A"],
            "location": ["F1", "F2"],
            "date": [day, day],
            "mean": [4.0, 6.0],
            "p10": [4.0, 6.0],
            "p50": [4.0, 6.0],
            "p90": [4.0, 6.0],
            "model": ["m", "m"],
        }
    )
    params = PlanParameters(horizon_days=5, service_level=0.9)
    f, inventory, policy, origins, warnings = build_replenishment_inputs(inputs, forecasts, params)
    rows = policy.set_index("location")
    # F1: lane 1 day, F2: lane 2.5 days; R1: S1's 3 days, review = longest gap Thu->Mon = 4.
    assert rows.loc["F1", "lead_time_days"] == 1.0 and rows.loc["F2", "lead_time_days"] == 2.5
    assert (rows.loc["R1", "lead_time_days"], rows.loc["R1", "review_period_days"]) == (3.0, 4.0)
    assert rows.loc["R1", "lead_time_std_days"] == 1.0 and rows.loc["R1", "order_days"] == "Mon,Thu"
    assert set(rows["service_level"]) == {0.9}
    assert origins.set_index("location")["origin"].to_dict() == {"F1": "R1", "F2": "R1", "R1": "S1"}
    regional = f[f["location"] == "R1"].iloc[0]
    assert (regional["mean"], regional["p90"]) == (10.0, 10.0)  # no spread: sum of the fronts
    positions = inventory.set_index("location")
    assert positions.loc["R1", "on_hand"] == 40.0 and positions.loc["R1", "on_order"] == 20.0
    assert positions.loc["F2", "on_hand"] == 0.0  # never counted -> 0
    # R1 protects 3 + 4 = 7 days > 5-day horizon
    assert len(warnings) == 1 and warnings[0].startswith("1 policies protect longer")


def test_forecast_history_runs_to_as_of_when_no_series_sold_on_the_last_days() -> None:
    """Sales end on 2025-01-03 but the plan is as of 2025-01-05 (a closed day, or an import
    not yet run): the history gets a 0-unit row on 01-05, so the forecasts start on 01-06
    with the future frame, and a warning says so. Without it the forecaster dated its
    forecasts from 01-04 and ignored the future rows past its horizon."""
    params = PlanParameters(horizon_days=3)
    inputs = select_planning_inputs(_frames(), dt.date(2025, 1, 5), params)
    history, future, warnings = build_forecast_inputs(inputs, params)
    assert list(history["date"]) == [T("2025-01-01"), T("2025-01-02"), T("2025-01-03"),
                                     T("2025-01-05")]  # fmt: skip
    assert list(history["units"]) == [5.0, -1.0, 7.0, 0.0]
    assert list(future["date"]) == list(pd.date_range("2025-01-06", periods=3))
    assert any("no sales recorded for any series after 2025-01-03" in w for w in warnings)
    config = ForecastConfig(models=("seasonal_naive",), n_windows=0, season_length=1)
    forecasts = forecast(history, 3, future=future, config=config).forecasts
    assert list(forecasts["date"]) == list(future["date"])
    # a plan as of the last sale day adds nothing
    inputs = select_planning_inputs(_frames(), dt.date(2025, 1, 3), params)
    history, _, warnings = build_forecast_inputs(inputs, params)
    assert len(history) == 3 and not any("no sales recorded" in w for w in warnings)
