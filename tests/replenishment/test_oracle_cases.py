"""The engine's formulas against the textbook oracle cases in ../shared/inventory.

Each case applies `math.isclose(got, expected, rel_tol, abs_tol)` per number; kinds we do
not implement (multi-echelon, Wagner-Whitin, (r,Q) cost optimisation) are not collected.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from replenishment import formulas

ORACLE = Path(__file__).resolve().parents[3] / "shared" / "inventory" / "oracle_cases.json"


def _solve(kind: str, x: dict[str, Any]) -> dict[str, Any]:
    if kind == "eoq":
        q, cost = formulas.economic_order_quantity(
            x["fixed_cost"], x["holding_cost"], x["demand_rate"], x.get("order_quantity")
        )
        return {"order_quantity": q, "cost": cost}
    if kind == "newsvendor_normal":
        level, cost = formulas.newsvendor_normal(
            x["holding_cost"],
            x["stockout_cost"],
            x["demand_mean"],
            x["demand_sd"],
            x.get("lead_time", 0.0),
            x.get("base_stock_level"),
        )
        return {"base_stock_level": level, "cost": cost}
    if kind == "newsvendor_poisson":
        level, cost = formulas.newsvendor_poisson(
            x["holding_cost"], x["stockout_cost"], x["demand_mean"], x.get("lead_time", 0.0)
        )
        return {"base_stock_level": level, "cost": cost}
    if kind == "newsvendor_discrete":
        level, cost = formulas.discrete_pmf_newsvendor(
            x["holding_cost"], x["stockout_cost"], x["demand_pmf"]
        )
        return {"base_stock_level": level, "cost": cost}
    if kind == "newsvendor_normal_explicit":
        level, profit = formulas.newsvendor_normal_explicit(
            x["revenue"], x["purchase_cost"], x["salvage_value"], x["demand_mean"], x["demand_sd"]
        )
        return {"base_stock_level": level, "profit": profit}
    if kind == "standard_normal_loss":
        return {
            "loss": float(formulas.standard_normal_loss(x["z"])),
            "complementary_loss": float(formulas.standard_normal_complementary_loss(x["z"])),
        }
    if kind == "base_stock_csl_normal":
        sigma, ss, rop = formulas.base_stock_for_cycle_service(
            x["demand_mean"],
            x["demand_sd"],
            x["lead_time"],
            x["cycle_service_level"],
            x.get("lead_time_sd", 0.0),
        )
        return {"sigma_ltd": float(sigma), "safety_stock": float(ss), "reorder_point": float(rop)}
    if kind == "rq_fill_rate_eval":
        sigma, esc, fr = formulas.rq_fill_rate(
            x["demand_mean"],
            x["demand_sd"],
            x["lead_time"],
            x["order_quantity"],
            x["reorder_point"],
            x.get("lead_time_sd", 0.0),
        )
        return {
            "sigma_ltd": float(sigma),
            "expected_shortage_per_cycle": float(esc),
            "fill_rate": float(fr),
        }
    if kind == "rq_reorder_point_for_fill_rate":
        z, ss, rop = formulas.rq_reorder_point_for_fill_rate(
            x["demand_mean"],
            x["demand_sd"],
            x["lead_time"],
            x["order_quantity"],
            x["fill_rate"],
            x.get("lead_time_sd", 0.0),
        )
        return {"z": float(z), "safety_stock": float(ss), "reorder_point": float(rop)}
    if kind == "rs_order_up_to_normal":
        level, ss = formulas.rs_order_up_to_normal(
            x["demand_mean"],
            x["demand_sd"],
            x["review_period"],
            x["lead_time"],
            x["cycle_service_level"],
        )
        return {"order_up_to_level": float(level), "safety_stock": float(ss)}
    if kind == "ss_discrete_exact_poisson":
        s, big_s, cost = formulas.optimal_poisson_ss(
            x["holding_cost"], x["stockout_cost"], x["fixed_cost"], x["demand_mean"]
        )
        return {"s": s, "S": big_s, "cost": cost}
    raise KeyError(kind)


IMPLEMENTED = {
    "eoq",
    "newsvendor_normal",
    "newsvendor_poisson",
    "newsvendor_discrete",
    "newsvendor_normal_explicit",
    "standard_normal_loss",
    "base_stock_csl_normal",
    "rq_fill_rate_eval",
    "rq_reorder_point_for_fill_rate",
    "rs_order_up_to_normal",
}
if hasattr(formulas, "optimal_poisson_ss"):
    IMPLEMENTED.add("ss_discrete_exact_poisson")


def _cases() -> list[Any]:
    if not ORACLE.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/inventory is absent"))]
    cases = json.loads(ORACLE.read_text())["cases"]
    return [pytest.param(c, id=c["id"]) for c in cases if c["kind"] in IMPLEMENTED]


def _assert_close(got: Any, expected: Any, rel: float, abs_: float, path: str) -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            _assert_close(got[key], value, rel, abs_, f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            _assert_close(g, e, rel, abs_, f"{path}[{i}]")
    else:
        assert math.isclose(got, expected, rel_tol=rel, abs_tol=abs_), (
            f"{path}: got {got}, expected {expected}"
        )


@pytest.mark.parametrize("case", _cases())
def test_oracle_case(case: dict[str, Any]) -> None:
    got = _solve(case["kind"], case["inputs"])
    tol = case["tolerance"]
    _assert_close(got, case["expected"], tol["rel"], tol["abs"], case["id"])


def test_oracle_file_has_the_kinds_we_test() -> None:
    if not ORACLE.is_file():
        pytest.skip("../shared/inventory is absent")
    kinds = {c["kind"] for c in json.loads(ORACLE.read_text())["cases"]}
    assert IMPLEMENTED <= kinds


def test_inverse_loss_round_trips_over_the_whole_range() -> None:
    import numpy as np

    z = np.array([-40.0, -9.0, -8.0, -3.0, -0.5, 0.0, 0.3, 2.0, 5.0, 7.5])
    np.testing.assert_allclose(
        formulas.inverse_standard_normal_loss(formulas.standard_normal_loss(z)), z, atol=1e-9
    )
