"""Property tests on random small instances: feasibility, integrality, and the objective equals
an independent solve of the same model with HiGHS through scipy.optimize.milp (issue 5)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from warehouses.allocation import AllocationOptions, allocate_stock


@st.composite
def instances(draw):
    """Random network: 1-2 regionals, 2-4 fronts, 1-3 skus, random lanes and capacities."""
    regionals = [f"R{k}" for k in range(draw(st.integers(1, 2)))]
    fronts = [f"F{k}" for k in range(draw(st.integers(2, 4)))]
    skus = [f"S{k}" for k in range(draw(st.integers(1, 3)))]
    stock, needs = [], []
    for sku in skus:
        for site in regionals + fronts:
            if draw(st.booleans()):
                stock.append((sku, site, draw(st.integers(0, 12))))
        for site in fronts:
            if draw(st.booleans()):
                needs.append((sku, site, draw(st.integers(0, 10)), draw(st.integers(0, 9))))
    pairs = [(r, f) for r in regionals for f in fronts]
    pairs += [(a, b) for a, b in itertools.permutations(fronts, 2)]
    lanes = []
    for origin, destination in pairs:
        if draw(st.integers(0, 2)) > 0:
            cap = draw(st.one_of(st.none(), st.integers(0, 15)))
            lanes.append((origin, destination, draw(st.integers(0, 5)), cap))
    capacity = [(f, draw(st.integers(0, 20))) for f in fronts if draw(st.booleans())]
    return {
        "stock": pd.DataFrame(stock, columns=["sku", "location", "available"]),
        "needs": pd.DataFrame(needs, columns=["sku", "location", "need", "shortage_cost"]),
        "lanes": pd.DataFrame(
            lanes, columns=["origin", "destination", "cost_per_unit", "capacity_units"]
        ),
        "capacity": pd.DataFrame(capacity, columns=["location", "free_capacity_units"]),
        "locations": pd.DataFrame(
            [(r, "regional", None, None) for r in regionals]
            + [(f, "front", regionals[0], None) for f in fronts],
            columns=["location", "kind", "parent", "backup"],
        ),
        "sites": regionals + fronts,
        "skus": skus,
    }


def independent_optimum(
    instance, *, min_shipment: int = 0, fairness_gap: float | None = None
) -> float:
    """Optimal objective of the issue-5 model built plainly (every sku x lane) and solved by
    scipy's HiGHS MILP; optional minimum shipment (binary per lane) and fairness rows."""
    a = {(s, i): v for s, i, v in instance["stock"].itertuples(index=False)}
    n = {(s, f): (v, p) for s, f, v, p in instance["needs"].itertuples(index=False)}
    lanes = [
        (i, j, c, None if cap is None or math.isnan(cap) else cap)
        for i, j, c, cap in instance["lanes"].itertuples(index=False)
    ]
    K = dict(instance["capacity"].itertuples(index=False))
    skus = instance["skus"]
    x = {(s, i, j): k for k, (s, (i, j, _, _)) in enumerate(itertools.product(skus, lanes))}
    u = {key: len(x) + k for k, key in enumerate(n)}
    y = (
        {(i, j): len(x) + len(u) + k for k, (i, j, _, _) in enumerate(lanes)}
        if min_shipment
        else {}
    )
    n_vars = len(x) + len(u) + len(y)
    if n_vars == 0:
        return 0.0
    cost = np.zeros(n_vars)
    upper = np.full(n_vars, np.inf)
    for (_, i, j), k in x.items():
        cost[k] = next(c for a_, b_, c, _ in lanes if (a_, b_) == (i, j))
    for key, k in u.items():
        cost[k] = n[key][1]
    for k in y.values():
        upper[k] = 1
    rows, lo, hi = [], [], []

    def row(coefficients: dict[int, float], low: float, high: float) -> None:
        rows.append(coefficients)
        lo.append(low)
        hi.append(high)

    for s in skus:
        for i in instance["sites"]:
            terms = {k: 1.0 for (s_, i_, _), k in x.items() if (s_, i_) == (s, i)}
            if terms:
                row(terms, -np.inf, a.get((s, i), 0))
        for f in instance["sites"]:
            terms = {k: 1.0 for (s_, _, j_), k in x.items() if (s_, j_) == (s, f)}
            if (s, f) in u:
                terms[u[(s, f)]] = 1.0
            if terms:
                need = n.get((s, f), (0, 0))[0]
                row(terms, need, need)
    for i, j, _, cap in lanes:
        terms = {k: 1.0 for (_, i_, j_), k in x.items() if (i_, j_) == (i, j)}
        if cap is not None:
            row(terms, -np.inf, cap)
        if min_shipment:
            big = sum(a.values()) + 1
            row({**terms, y[(i, j)]: -big}, -np.inf, 0)
            row({**terms, y[(i, j)]: -float(min_shipment)}, 0, np.inf)
    for f, k_f in K.items():
        row({k: 1.0 for (_, _, j_), k in x.items() if j_ == f}, -np.inf, k_f)
    if fairness_gap is not None:
        for s in skus:
            reachable = [
                f
                for (s_, f), (need, _) in n.items()
                if s_ == s
                and need > 0
                and K.get(f, 1) > 0
                and any(
                    j == f and a.get((s, i), 0) > 0 and (cap is None or cap > 0)
                    for i, j, _, cap in lanes
                )
            ]
            total = sum(n[(s, f)][0] for f in reachable)
            all_terms = {k: 1.0 for (s_, _, j_), k in x.items() if s_ == s and j_ in reachable}
            for f in reachable:
                share = n[(s, f)][0] / total
                terms = {k: -share for k in all_terms}
                for (s_, _, j_), k in x.items():
                    if (s_, j_) == (s, f):
                        terms[k] += 1.0
                row(terms, -fairness_gap * n[(s, f)][0] - 1.0, np.inf)
    matrix = lil_matrix((max(len(rows), 1), n_vars))
    for r, coefficients in enumerate(rows):
        for k, v in coefficients.items():
            matrix[r, k] = v
    constraints = [LinearConstraint(matrix.tocsr(), lo, hi)] if rows else []
    result = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(n_vars),
        bounds=Bounds(np.zeros(n_vars), upper),
    )
    assert result.success, result.message
    return float(result.fun)


def check_feasible(instance, result) -> None:
    ship = result.shipments
    assert (ship["units"] > 0).all()
    assert ship["units"].dtype.kind == "i"
    available = {(s, i): v for s, i, v in instance["stock"].itertuples(index=False)}
    for (s, i), units in ship.groupby(["sku", "origin"])["units"].sum().items():
        assert units <= available.get((s, i), 0)
    lane_cap = {(i, j): cap for i, j, _, cap in instance["lanes"].itertuples(index=False)}
    for (i, j), units in ship.groupby(["origin", "destination"])["units"].sum().items():
        assert (i, j) in lane_cap
        cap = lane_cap[(i, j)]
        assert cap is None or (isinstance(cap, float) and math.isnan(cap)) or units <= cap
    free = dict(instance["capacity"].itertuples(index=False))
    for f, units in ship.groupby("destination")["units"].sum().items():
        assert units <= free.get(f, math.inf)
    need = {(s, f): v for s, f, v, _ in instance["needs"].itertuples(index=False)}
    for (s, f), units in ship.groupby(["sku", "destination"])["units"].sum().items():
        assert units <= need.get((s, f), 0)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_optimal_allocation_is_feasible_integral_and_matches_scipy_highs(instance):
    result = allocate_stock(
        instance["stock"],
        instance["needs"],
        instance["lanes"],
        capacity=instance["capacity"],
        locations=instance["locations"],
    )
    check_feasible(instance, result)
    summary = result.summary
    assert summary.status == "optimal"
    assert summary.objective == pytest.approx(independent_optimum(instance), abs=1e-6)
    assert summary.best_bound <= summary.objective + 1e-6
    assert summary.gap <= 1e-9
    recomputed = summary.transport_cost + summary.shortage_cost
    assert summary.objective == pytest.approx(recomputed)


@SETTINGS
@given(instances(), st.integers(1, 12))
def test_minimum_shipment_matches_scipy_highs(instance, minimum):
    result = allocate_stock(
        instance["stock"],
        instance["needs"],
        instance["lanes"],
        capacity=instance["capacity"],
        locations=instance["locations"],
        options=AllocationOptions(min_shipment_units=minimum),
    )
    check_feasible(instance, result)
    per_lane = result.shipments.groupby(["origin", "destination"])["units"].sum()
    assert (per_lane >= minimum).all()
    expected = independent_optimum(instance, min_shipment=minimum)
    assert result.summary.objective == pytest.approx(expected, abs=1e-6)


@SETTINGS
@given(instances(), st.sampled_from([0.0, 0.1, 0.3]))
def test_fairness_matches_scipy_highs(instance, gap):
    result = allocate_stock(
        instance["stock"],
        instance["needs"],
        instance["lanes"],
        capacity=instance["capacity"],
        locations=instance["locations"],
        options=AllocationOptions(fairness_max_gap=gap),
    )
    check_feasible(instance, result)
    expected = independent_optimum(instance, fairness_gap=gap)
    assert result.summary.objective == pytest.approx(expected, abs=1e-6)
