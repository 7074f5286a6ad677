"""What-if scenarios on a small generated sample: changes to inputs, and the plan chain on them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scenarios import (
    AddPromotion,
    HeatWave,
    Scenario,
    SupplierDelay,
    WarehouseOutage,
    compare_suggestions,
    inputs_from_frames,
    plan_outcome,
    run_scenario,
)
from supplycast.plan_steps.forecast_step import build_forecast_inputs
from supplycast.plan_steps.inputs import PlanningInputs, PlanParameters
from supplycast.sample import SampleConfig, generate_sample

END = dt.date(2026, 11, 21)
PARAMETERS = PlanParameters(
    forecast_models=("seasonal_naive",), forecast_windows=1, horizon_days=14
)


@pytest.fixture(scope="module")
def inputs() -> PlanningInputs:
    network = generate_sample(SampleConfig(seed=5, n_skus=12, n_days=120, end_date=END))
    return inputs_from_frames(network.frames, END, PARAMETERS)


@pytest.fixture(scope="module")
def base(inputs: PlanningInputs):  # type: ignore[no-untyped-def]
    pytest.importorskip("forecasting")
    return plan_outcome(inputs, PARAMETERS)


def test_add_promotion_reaches_the_forecast_features(inputs: PlanningInputs) -> None:
    change = AddPromotion("BEV-001", dt.date(2026, 11, 25), dt.date(2026, 11, 27), 30.0)
    changed, parameters = change.apply(inputs, PARAMETERS)
    assert parameters is PARAMETERS
    assert len(changed.promotions) == len(inputs.promotions) + 1
    _, future, _ = build_forecast_inputs(changed, PARAMETERS)
    _, base_future, _ = build_forecast_inputs(inputs, PARAMETERS)
    rows = future[(future["sku"] == "BEV-001")]
    inside = rows["date"].between(pd.Timestamp("2026-11-25"), pd.Timestamp("2026-11-27"))
    assert rows.loc[inside, "discount_pct"].eq(30.0).all()
    assert rows.loc[inside, "location"].nunique() == 8  # blank location = every front
    assert inside.sum() == 3 * 8
    others = future.drop(rows.index[inside])
    pd.testing.assert_frame_equal(
        others.reset_index(drop=True),
        base_future.drop(rows.index[inside]).reset_index(drop=True),
    )


def test_heat_wave_adds_degrees_only_inside_its_window_and_sites(inputs: PlanningInputs) -> None:
    change = HeatWave(dt.date(2026, 11, 22), dt.date(2026, 11, 28), 6.0, ("FW-JINGAN",))
    changed, _ = change.apply(inputs, PARAMETERS)
    before, after = inputs.weather, changed.weather
    inside = (
        (before["location"] == "FW-JINGAN")
        & (before["date"] >= pd.Timestamp("2026-11-22"))
        & (before["date"] <= pd.Timestamp("2026-11-28"))
    )
    assert inside.sum() == 7
    delta = after["temperature_c"] - before["temperature_c"]
    assert delta[inside].round(9).eq(6.0).all()
    assert delta[~inside].eq(0.0).all()


def test_supplier_delay_raises_order_up_to_only_for_its_skus(inputs, base) -> None:  # type: ignore[no-untyped-def]
    change = SupplierDelay("SUP-EBB", 5)
    changed, _ = change.apply(inputs, PARAMETERS)
    affected = inputs.supply["supplier"] == "SUP-EBB"
    assert (
        (changed.supply["lead_time_days"] - inputs.supply["lead_time_days"])[affected].eq(5).all()
    )
    assert changed.supply.loc[~affected].equals(inputs.supply.loc[~affected])
    pairs = set(
        zip(
            inputs.supply.loc[affected, "sku"], inputs.supply.loc[affected, "location"], strict=True
        )
    )
    late = [
        p in pairs
        for p in zip(inputs.purchase_orders["sku"], inputs.purchase_orders["location"], strict=True)
    ]
    shift = changed.purchase_orders["expected_date"] - inputs.purchase_orders["expected_date"]
    assert (shift[late] == pd.Timedelta(days=5)).all() and (
        shift[[not x for x in late]] == pd.Timedelta(0)
    ).all()

    comparison = run_scenario(inputs, PARAMETERS, Scenario("delay", (change,)), base=base)
    rows = comparison.suggestions
    delayed = [(s, loc) in pairs for s, loc in zip(rows["sku"], rows["location"], strict=True)]
    delayed = pd.Series(delayed, index=rows.index)
    assert delayed.sum() == affected.sum()
    # order-up-to = demand over lead time + review + safety stock: longer lead time, higher
    assert (rows.loc[delayed, "scenario_order_up_to"] > rows.loc[delayed, "base_order_up_to"]).all()
    pd.testing.assert_series_equal(
        rows.loc[~delayed, "scenario_order_up_to"],
        rows.loc[~delayed, "base_order_up_to"],
        check_names=False,
    )
    # same forecast inputs: the base forecasts were reused, not recomputed
    assert comparison.changed.forecasts is base.forecasts


def test_outage_of_a_regional_stops_its_shipments(inputs, base) -> None:  # type: ignore[no-untyped-def]
    comparison = run_scenario(
        inputs, PARAMETERS, Scenario("outage", (WarehouseOutage("RDC-JIADING"),)), base=base
    )
    assert (base.shipments["origin"] == "RDC-JIADING").any()
    assert not (comparison.changed.shipments["origin"] == "RDC-JIADING").any()
    totals = comparison.totals.set_index("measure")
    assert totals.loc["shortage_units", "scenario"] >= totals.loc["shortage_units", "base"]
    assert totals.loc["order_units", "delta"] == 0.0  # suggestions do not depend on the outage


def test_compare_suggestions_by_hand() -> None:
    base = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "location": ["F", "F"],
            "order_qty": [10.0, 4.0],
            "order_up_to": [20.0, 8.0],
        }
    )
    changed = pd.DataFrame(
        {
            "sku": ["A", "C"],
            "location": ["F", "F"],
            "order_qty": [15.0, 6.0],
            "order_up_to": [25.0, 9.0],
        }
    )
    frame = compare_suggestions(base, changed)
    assert list(frame["sku"]) == ["A", "B", "C"]
    assert list(frame["delta_order_qty"]) == [5.0, -4.0, 6.0]
    assert list(frame["scenario_order_qty"]) == [15.0, 0.0, 6.0]


def test_changes_reject_bad_values(inputs: PlanningInputs) -> None:
    day = dt.date(2026, 11, 25)
    with pytest.raises(ValueError):
        AddPromotion("BEV-001", day, day - dt.timedelta(days=1), 10.0)
    with pytest.raises(ValueError):
        AddPromotion("BEV-001", day, day, 0.0)
    with pytest.raises(ValueError):
        SupplierDelay("SUP-EBB", 0)
    with pytest.raises(ValueError, match="unknown sku"):
        AddPromotion("NOPE", day, day, 10.0).apply(inputs, PARAMETERS)
    with pytest.raises(ValueError, match="supplies nothing"):
        SupplierDelay("SUP-NOPE", 2).apply(inputs, PARAMETERS)
    with pytest.raises(ValueError, match="unknown location"):
        WarehouseOutage("FW-NOPE").apply(inputs, PARAMETERS)
    with pytest.raises(ValueError):
        Scenario("empty", ())
    scenario = Scenario("mix", (SupplierDelay("SUP-EBB", 2), WarehouseOutage("FW-XUHUI")))
    assert scenario.describe() == "mix: supplier SUP-EBB delayed by 2 days; FW-XUHUI is down"
    _, parameters = scenario.apply(inputs, PARAMETERS)
    assert parameters.down_locations == ("FW-XUHUI",)
