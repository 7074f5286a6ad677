"""What-if scenarios: changes applied to the planning inputs, the plan chain run on them and
compared with the unchanged plan. Pure: never touches the database (docs/sample-data.md)."""

from scenarios.changes import AddPromotion, Change, HeatWave, SupplierDelay, WarehouseOutage
from scenarios.run import (
    PlanOutcome,
    Scenario,
    ScenarioComparison,
    compare_suggestions,
    inputs_from_frames,
    plan_outcome,
    run_scenario,
)

__all__ = [
    "AddPromotion",
    "Change",
    "HeatWave",
    "PlanOutcome",
    "Scenario",
    "ScenarioComparison",
    "SupplierDelay",
    "WarehouseOutage",
    "compare_suggestions",
    "inputs_from_frames",
    "plan_outcome",
    "run_scenario",
]
