"""Solve an AllocationModel to proven optimality with OR-Tools (model_builder API).

Strategy: without the min-shipment and fairness options the model is a transportation problem
per sku coupled only by shared lane and site capacities, so the LP relaxation very often has an
integral optimal vertex. We solve the LP by simplex (HiGHS by default, GLOP as an option; a
simplex solution is a vertex); when every
integer variable is integral there, that solution is optimal for the integer model and the LP
value is its bound (LP bound <= MIP optimum <= value of an integral feasible point). Otherwise
the integer model goes to a MIP solver (HiGHS by default) with a relative and absolute gap of
zero and, in the base model with CP-SAT, the rounded-down LP solution as a starting hint
(rounding x down keeps supply and capacity rows feasible; u absorbs the rest). HiGHS gets no
hint: OR-Tools 9.15's HiGHS wrapper crashes on solution hints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.linear_solver.python import model_builder

from warehouses.allocation.model import AllocationModel
from warehouses.allocation.options import AllocationOptions

INTEGRALITY_TOLERANCE = 1e-6
FEASIBILITY_TOLERANCE = 1e-6

_LP_PARAMETERS = {
    "highs": "solver=simplex\noutput_flag=false\nlog_to_console=false\n",
    "glop": "",
}
_GAP_ZERO = {
    "highs": "mip_rel_gap=0\nmip_abs_gap=0\noutput_flag=false\nlog_to_console=false\n",
    "sat": "relative_gap_limit:0 absolute_gap_limit:0",
}


@dataclass(frozen=True)
class SolveOutcome:
    """Solution values (integer variables rounded), status and bound of one solve.

    status: "optimal" (proven) or "feasible" (time limit hit with a solution; the bound says
    how far it may be from optimal). best_bound: proven lower bound on the objective.
    solver: "highs-lp"/"glop-lp" when the LP vertex was integral, else the MIP backend name.
    """

    values: np.ndarray
    status: str
    best_bound: float
    solver: str
    lp_integral: bool
    seconds: float


def _to_builder(model: AllocationModel, integral: bool) -> model_builder.Model:
    builder = model_builder.Model()
    helper: Any = builder.helper  # its stubs mistype numpy arrays
    helper.fill_model_from_sparse_data(
        model.lower,
        model.upper,
        model.objective,
        model.row_lower,
        model.row_upper,
        model.matrix,
    )
    if integral:
        for index in np.flatnonzero(model.integer):
            builder.helper.set_var_integrality(int(index), True)
    return builder


def _values(solver: model_builder.Solver, builder: model_builder.Model, n_vars: int) -> np.ndarray:
    helper = getattr(solver, "_Solver__solve_helper", None)
    if helper is not None and hasattr(helper, "variable_values"):  # vectorised fast path
        values = np.asarray(helper.variable_values(), dtype=float)
    else:
        values = solver.values(builder.get_variables()).to_numpy(dtype=float)
    if values.shape != (n_vars,):
        raise RuntimeError("OR-Tools returned no solution values")
    return values


def _is_integral(model: AllocationModel, values: np.ndarray) -> bool:
    integer_values = values[model.integer]
    return bool(np.all(np.abs(integer_values - np.round(integer_values)) <= INTEGRALITY_TOLERANCE))


def _rounded(model: AllocationModel, values: np.ndarray) -> np.ndarray:
    rounded = values.copy()
    rounded[model.integer] = np.round(values[model.integer])
    return rounded


def check_feasible(model: AllocationModel, values: np.ndarray) -> None:
    """Raise RuntimeError if `values` break a bound or row (by more than the tolerance)."""
    tol = FEASIBILITY_TOLERANCE
    activity = model.matrix @ values
    if (
        np.any(values < model.lower - tol)
        or np.any(values > model.upper + tol)
        or np.any(activity < model.row_lower - tol)
        or np.any(activity > model.row_upper + tol)
    ):
        raise RuntimeError("solver solution violates the allocation model; please report")


def solve_model(model: AllocationModel, options: AllocationOptions) -> SolveOutcome:
    """Solve to proven optimality within options.time_limit_seconds (see module docstring)."""
    start = time.perf_counter()
    n_vars = len(model.objective)
    if n_vars == 0:
        return SolveOutcome(np.zeros(0), "optimal", 0.0, "none", True, 0.0)
    lp_values: np.ndarray | None = None
    if options.lp_first:
        lp = model_builder.Solver(options.lp_solver)
        lp.set_time_limit_in_seconds(options.time_limit_seconds)
        if _LP_PARAMETERS[options.lp_solver]:
            lp.set_solver_specific_parameters(_LP_PARAMETERS[options.lp_solver])
        relaxation = _to_builder(model, integral=False)
        status = lp.solve(relaxation)
        if status == model_builder.SolveStatus.OPTIMAL:
            lp_values = _values(lp, relaxation, n_vars)
            if _is_integral(model, lp_values):
                values = _rounded(model, lp_values)
                check_feasible(model, values)
                return SolveOutcome(
                    values,
                    "optimal",
                    float(lp.objective_value),
                    f"{options.lp_solver}-lp",
                    True,
                    time.perf_counter() - start,
                )
    mip = model_builder.Solver(options.mip_solver)
    mip.set_time_limit_in_seconds(options.time_limit_seconds)
    mip.set_solver_specific_parameters(_GAP_ZERO[options.mip_solver])
    builder = _to_builder(model, integral=True)
    plain = options.fairness_max_gap is None and options.min_shipment_units == 0
    # OR-Tools 9.15's HiGHS wrapper crashes (segmentation fault) on any solution hint, so the
    # hint goes to CP-SAT only.
    if lp_values is not None and plain and options.mip_solver != "highs":
        hint = np.floor(lp_values[: model.n_arcs] + INTEGRALITY_TOLERANCE)
        for index, value in enumerate(hint):
            builder.add_hint(builder.var_from_index(index), float(value))
    status = mip.solve(builder)
    if status not in (model_builder.SolveStatus.OPTIMAL, model_builder.SolveStatus.FEASIBLE):
        raise RuntimeError(
            f"{options.mip_solver} found no allocation within {options.time_limit_seconds:g} s "
            f"(status {status.name}); raise time_limit_seconds"
        )
    values = _rounded(model, _values(mip, builder, n_vars))
    check_feasible(model, values)
    proven = status == model_builder.SolveStatus.OPTIMAL
    return SolveOutcome(
        values,
        "optimal" if proven else "feasible",
        float(mip.best_objective_bound),
        options.mip_solver,
        False,
        time.perf_counter() - start,
    )
