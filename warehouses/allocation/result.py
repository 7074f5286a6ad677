"""Results of a stock allocation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

SHIPMENT_COLUMNS = ("sku", "origin", "destination", "units")
FILL_COLUMNS = ("sku", "location", "served_at", "need", "shipped", "unmet", "shortage_cost")


@dataclass(frozen=True)
class AllocationSummary:
    """Solver outcome; costs in the currency of the inputs, units in stock units.

    status: "optimal" (proven optimal) or "feasible" (time limit hit; see best_bound).
    objective = transport_cost + shortage_cost; best_bound: proven lower bound on the optimal
    objective (equal to it, up to tolerance, when optimal); seconds: wall time of the solve
    including model building. solver: "highs-lp" (or "glop-lp") when the LP relaxation had an
    integral optimal vertex, else the MIP backend; lp_integral says the same as a flag.
    """

    status: str
    objective: float
    transport_cost: float
    shortage_units: int
    shortage_cost: float
    best_bound: float
    seconds: float
    solver: str = "none"
    lp_integral: bool = True

    @property
    def gap(self) -> float:
        """Relative optimality gap (objective - best_bound) / max(1, |objective|), >= 0."""
        return max(0.0, self.objective - self.best_bound) / max(1.0, abs(self.objective))

    def to_json_dict(self) -> dict[str, object]:
        """The S.json fields of issue 5, in order."""
        return {
            "status": self.status,
            "objective": self.objective,
            "transport_cost": self.transport_cost,
            "shortage_units": self.shortage_units,
            "shortage_cost": self.shortage_cost,
            "best_bound": self.best_bound,
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class AllocationResult:
    """An allocation plan.

    shipments: sku, origin, destination, units (int, only units > 0), X.csv form.
    fills: one row per need row: sku, location (where the need arose), served_at (where it is
        delivered: the location, its backup when the location is down, or None), need,
        shipped, unmet (units), shortage_cost (per unit unmet).
    summary: AllocationSummary; warnings: human sentences (down sites, missing backup lanes).
    """

    shipments: pd.DataFrame
    fills: pd.DataFrame
    summary: AllocationSummary
    warnings: tuple[str, ...] = field(default=())
