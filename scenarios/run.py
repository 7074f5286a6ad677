"""Run the plan chain on changed inputs and compare with the unchanged plan, without saving.

A `Scenario` is a name and a tuple of changes (`scenarios.changes`). `run_scenario` applies
them to `PlanningInputs` / `PlanParameters` and runs the same steps as the daily plan
(`supplycast.daily_plan`: forecast -> replenishment -> allocation; routes are left out) with
the same frame builders (`supplycast.plan_steps`), then compares suggestions and totals. It
never touches a database: inputs come in as frames (`inputs_from_frames`, or
`supplycast.plan_steps.inputs.load_planning_inputs` in a shell).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import pandas as pd

from scenarios.changes import Change
from supplycast.plan_steps.allocate_step import build_allocation_inputs, run_allocation
from supplycast.plan_steps.cores import PlanCores, resolve_cores
from supplycast.plan_steps.forecast_step import build_forecast_inputs, run_forecast
from supplycast.plan_steps.inputs import PlanningInputs, PlanParameters, select_planning_inputs
from supplycast.plan_steps.replenish_step import run_replenishment


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A named set of what-if changes, applied in order."""

    name: str
    changes: tuple[Change, ...]

    def __post_init__(self) -> None:
        if not self.changes:
            raise ValueError("a scenario needs at least one change")

    def apply(
        self, inputs: PlanningInputs, parameters: PlanParameters
    ) -> tuple[PlanningInputs, PlanParameters]:
        for change in self.changes:
            inputs, parameters = change.apply(inputs, parameters)
        return inputs, parameters

    def describe(self) -> str:
        return f"{self.name}: " + "; ".join(c.describe() for c in self.changes)


@dataclasses.dataclass(frozen=True)
class PlanOutcome:
    """The plan chain's results on one set of inputs.

    Attributes:
        forecasts: F.csv frame (fronts).
        suggestions: S.csv frame plus `location_kind`, `origin` (fronts and regionals).
        shipments: allocation shipments (`sku, origin, destination, units`); empty when no
            front needs stock or the allocation core is missing.
        shortage_units: front needs left unmet by the allocation, units.
        transport_cost: allocation transport cost (lane cost_per_unit x units).
        warnings: warnings of the steps.
        history, future: the forecast inputs (to reuse forecasts when they are unchanged).
    """

    forecasts: pd.DataFrame
    suggestions: pd.DataFrame
    shipments: pd.DataFrame
    shortage_units: float
    transport_cost: float
    warnings: tuple[str, ...]
    history: pd.DataFrame
    future: pd.DataFrame


@dataclasses.dataclass(frozen=True)
class ScenarioComparison:
    """Base plan vs scenario plan.

    Attributes:
        scenario: what was changed.
        base, changed: the two outcomes.
        suggestions: per (sku, location): `base_order_qty`, `scenario_order_qty`,
            `delta_order_qty`, `base_order_up_to`, `scenario_order_up_to` (rows of either plan).
        totals: one row per measure (`order_units`, `shipped_units`, `shortage_units`,
            `transport_cost`) with `base`, `scenario`, `delta`.
    """

    scenario: Scenario
    base: PlanOutcome
    changed: PlanOutcome
    suggestions: pd.DataFrame
    totals: pd.DataFrame


def inputs_from_frames(
    frames: Mapping[str, pd.DataFrame], as_of: dt.date, parameters: PlanParameters | None = None
) -> PlanningInputs:
    """`PlanningInputs` as of `as_of` from frames in CSV form (e.g. a generated sample's
    `frames`); a blank promotion location (empty string) means every location."""
    frames = dict(frames)
    promotions = frames["promotions"].copy()
    promotions["location"] = promotions["location"].replace("", None)
    frames["promotions"] = promotions
    return select_planning_inputs(frames, as_of, parameters or PlanParameters())


def plan_outcome(
    inputs: PlanningInputs,
    parameters: PlanParameters,
    *,
    cores: PlanCores | None = None,
    reuse: PlanOutcome | None = None,
) -> PlanOutcome:
    """Forecast, replenish and allocate as the daily plan does. Forecasts of `reuse` are taken
    as they are when the forecast inputs are identical (saves the expensive step). The
    replenishment reuses the forecast inputs' daily history for its service classes, as the
    daily plan does (the sales are not grouped again).

    Raises RuntimeError when the forecasting or replenishment core is not importable.
    """
    cores = cores or resolve_cores()
    if cores.forecast is None or cores.plan_replenishment is None:
        raise RuntimeError(f"the plan cores are not all available: {dict(cores.missing)}")
    history, future, step_warnings = build_forecast_inputs(inputs, parameters)
    warnings = list(step_warnings)
    if reuse is not None and reuse.history.equals(history) and reuse.future.equals(future):
        forecasts = reuse.forecasts
    else:
        result = run_forecast(cores.forecast, inputs, parameters, history, future)
        warnings.extend(result.warnings)
        forecasts = result.forecasts.copy()
        forecasts["date"] = pd.to_datetime(forecasts["date"]).dt.normalize()

    suggestions, step_warnings = run_replenishment(
        cores.plan_replenishment, inputs, forecasts, parameters, history
    )
    warnings.extend(step_warnings)

    shipments = pd.DataFrame(columns=["sku", "origin", "destination", "units"])
    shortage = transport = 0.0
    stock, needs, lanes, capacity = build_allocation_inputs(inputs, suggestions, parameters)
    if cores.allocate_stock is not None and len(needs):
        allocation = run_allocation(
            cores.allocate_stock, inputs, parameters, stock, needs, lanes, capacity
        )
        shipments = allocation.shipments
        shortage = float(allocation.summary.shortage_units)
        transport = float(allocation.summary.transport_cost)
    return PlanOutcome(
        forecasts, suggestions, shipments, shortage, transport, tuple(warnings), history, future
    )


def compare_suggestions(base: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """Per (sku, location): order quantity and order-up-to level in both plans and the change
    in order quantity (a row missing from one plan counts as 0 ordered there)."""
    columns = ["sku", "location", "order_qty", "order_up_to"]
    merged = base[columns].merge(
        changed[columns], on=["sku", "location"], how="outer", suffixes=("_base", "_scenario")
    )
    frame = pd.DataFrame(
        {
            "sku": merged["sku"],
            "location": merged["location"],
            "base_order_qty": merged["order_qty_base"].fillna(0.0).astype(float),
            "scenario_order_qty": merged["order_qty_scenario"].fillna(0.0).astype(float),
            "base_order_up_to": merged["order_up_to_base"].astype(float),
            "scenario_order_up_to": merged["order_up_to_scenario"].astype(float),
        }
    )
    frame.insert(4, "delta_order_qty", frame["scenario_order_qty"] - frame["base_order_qty"])
    return frame.sort_values(["sku", "location"], ignore_index=True)


def _totals(base: PlanOutcome, changed: PlanOutcome) -> pd.DataFrame:
    def measures(outcome: PlanOutcome) -> dict[str, float]:
        return {
            "order_units": float(outcome.suggestions["order_qty"].sum()),
            "shipped_units": float(outcome.shipments["units"].sum())
            if len(outcome.shipments)
            else 0.0,
            "shortage_units": outcome.shortage_units,
            "transport_cost": outcome.transport_cost,
        }

    b, s = measures(base), measures(changed)
    return pd.DataFrame(
        {
            "measure": list(b),
            "base": list(b.values()),
            "scenario": [s[k] for k in b],
            "delta": [s[k] - b[k] for k in b],
        }
    )


def run_scenario(
    inputs: PlanningInputs,
    parameters: PlanParameters,
    scenario: Scenario,
    *,
    cores: PlanCores | None = None,
    base: PlanOutcome | None = None,
) -> ScenarioComparison:
    """Plan the unchanged inputs (or take `base`), plan the scenario's inputs, compare."""
    cores = cores or resolve_cores()
    changed_inputs, changed_parameters = scenario.apply(inputs, parameters)  # fails fast
    base = base or plan_outcome(inputs, parameters, cores=cores)
    changed = plan_outcome(changed_inputs, changed_parameters, cores=cores, reuse=base)
    return ScenarioComparison(
        scenario=scenario,
        base=base,
        changed=changed,
        suggestions=compare_suggestions(base.suggestions, changed.suggestions),
        totals=_totals(base, changed),
    )
