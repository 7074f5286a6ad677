"""Options of the stock allocation model (see docs/allocation.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

# SCIP (also in OR-Tools) is left out on purpose: through model_builder it reported a wrong
# "optimal" objective on the fairness model (see docs/allocation.md).
MIP_SOLVERS = ("highs", "sat")
LP_SOLVERS = ("highs", "glop")


@dataclass(frozen=True)
class AllocationOptions:
    """Options on top of the base allocation model.

    Attributes:
        fairness_max_gap: fraction 0-1, or None (off). When set, for every sku each front
            site's fill ratio (units shipped / units needed) must be at least the sku's overall
            fill ratio over its reachable front sites minus this gap, less one unit of integer
            rounding. 0 asks for proportional shares.
        min_shipment_units: units; 0 = off. A lane either carries nothing or at least this many
            units in total over all skus ("a truck is worth sending").
        time_limit_seconds: seconds of solver wall time per solve (LP and MIP each).
        mip_solver: OR-Tools backend for the integer model: "highs" (default) or "sat" (CP-SAT).
        lp_first: solve the LP relaxation first (simplex, so the solution is a vertex) and stop
            there when it is integral (then it is a proven optimum of the integer model).
        lp_solver: OR-Tools backend for that LP: "highs" (dual simplex, default) or "glop".
    """

    fairness_max_gap: float | None = None
    min_shipment_units: int = 0
    time_limit_seconds: float = 60.0
    mip_solver: str = "highs"
    lp_first: bool = True
    lp_solver: str = "highs"

    def __post_init__(self) -> None:
        gap = self.fairness_max_gap
        if gap is not None and not (0.0 <= gap <= 1.0):
            raise ValueError(f"fairness_max_gap must be a fraction in [0, 1], got {gap}")
        if self.min_shipment_units < 0 or int(self.min_shipment_units) != self.min_shipment_units:
            raise ValueError(
                f"min_shipment_units must be a whole number >= 0, got {self.min_shipment_units}"
            )
        if not (math.isfinite(self.time_limit_seconds) and self.time_limit_seconds > 0):
            raise ValueError(f"time_limit_seconds must be > 0, got {self.time_limit_seconds}")
        if self.mip_solver not in MIP_SOLVERS:
            raise ValueError(f"mip_solver must be one of {MIP_SOLVERS}, got {self.mip_solver!r}")
        if self.lp_solver not in LP_SOLVERS:
            raise ValueError(f"lp_solver must be one of {LP_SOLVERS}, got {self.lp_solver!r}")
