"""The benchmarks' simulated demand (benchmarks/synthetic_demand.py): its true quantiles are
right by hand, and its draws follow them (the oracle of forecast_accuracy.py rests on both)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

MODULE = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic_demand.py"


@pytest.fixture(scope="module")
def synthetic() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synthetic_demand", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _row(dist: str, mean: float, **kw: float) -> dict[str, object]:
    base: dict[str, object] = {"dist": dist, "mean": mean, "size": np.nan, "p_sale": 1.0}
    return {**base, "sale_mean": np.nan, "sale_size": np.nan, **kw}


def test_true_quantiles_by_hand(synthetic: ModuleType) -> None:
    truth = pd.DataFrame(
        [
            # Poisson(0.3): F(0) = e^-0.3 = 0.741, F(1) = 0.963
            _row("poisson", 0.3),
            # Poisson(3): F(0) 0.050, F(1) 0.199, F(2) 0.423, F(3) 0.647, F(4) 0.815, F(5) 0.916
            _row("poisson", 3.0),
            # negative binomial of size 1, mean 2: geometric, P(X <= k) = 1 - (2/3)^(k + 1)
            _row("nbinom", 2.0, size=1.0),
            # a sale on 20% of days, of 1 + that geometric: P(Y <= y) = 0.8 + 0.2 P(X <= y - 1)
            _row("zi_nbinom", 0.2 * 3, p_sale=0.2, sale_mean=2.0, sale_size=1.0),
            # a sale on half the days: p50 = 0 (P(Y = 0) = 0.5); p90 needs P(X <= y - 1) >= 0.8,
            # so y - 1 = 3
            _row("zi_nbinom", 0.5 * 3, p_sale=0.5, sale_mean=2.0, sale_size=1.0),
        ],
        index=[10, 11, 12, 13, 14],  # any index: quantiles come back in row order
    )
    assert synthetic.true_quantiles(truth, 0.1).tolist() == [0, 1, 0, 0, 0]
    assert synthetic.true_quantiles(truth, 0.5).tolist() == [0, 3, 1, 0, 0]
    # geometric p90: (2/3)^(k + 1) <= 0.1 first at k = 5; ZI 20%: P(X <= y - 1) >= 0.5 at y = 2
    assert synthetic.true_quantiles(truth, 0.9).tolist() == [1, 5, 5, 2, 4]


def test_draws_follow_the_true_quantiles(synthetic: ModuleType) -> None:
    history, truth = synthetic.simulate(40, 400, seed=3)
    assert len(history) == len(truth) == 40 * 400
    classes = truth.groupby(["sku", "location"])["true_class"].first().value_counts()
    assert classes.to_dict() == {"smooth": 12, "intermittent": 12, "erratic": 8, "lumpy": 8}
    assert set(history["on_promo"].unique()) == {0.0, 1.0}
    y = history["units"].to_numpy()
    for level in (0.1, 0.5, 0.9):
        q = synthetic.true_quantiles(truth, level)
        for cls, rows in truth.groupby("true_class").groups.items():
            at = truth.index.get_indexer(rows)
            # a count's quantile q: P(Y < q) <= level <= P(Y <= q), up to sampling noise
            # (3,200-4,800 draws a class: a binomial share's sd is <= 0.009)
            assert (y[at] < q[at]).mean() <= level + 0.03, (cls, level)
            assert (y[at] <= q[at]).mean() >= level - 0.03, (cls, level)
