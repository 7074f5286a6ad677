"""The intermittent-demand family (Croston, ADIDA, IMAPA, TSB), fitted from the first sale.

Croston's method and its descendants estimate two things from a series: the size of a
demand and the interval between demands (Croston 1972; Syntetos & Boylan 2005). Periods
before an item was first sold at a location are not intervals between its demands: the
item was not on sale there yet. statsforecast's models count them as the first interval,
so a series launched after years of zero rows gets a first "interval" as long as those
years, and its forecast is a fraction of what it sells since its launch. A hand-made case
(tests/forecasting/test_intermittent.py): 12 periods since the launch at 0.725 a period
after 40 zero rows; CrostonOptimized, ADIDA, IMAPA and TSB forecast 0.14, 0.24, 0.46,
0.66 on the whole row and 0.83, 0.90, 0.86, 0.77 from the first sale. On Stallion,
SKU_04 / Agency_36 (first sale 2016-05) at the 2017-06 origin: the selected forecast was
2.79 a month (ADIDA on the whole row) and is 6.38 (IMAPA + TSB, from the first sale); it
sold 8.7-16.9 a month.

The classes below are statsforecast's models with one change: `forecast` and `fit` drop
the periods before the first sale (value > 0) before fitting, as the demand class
(`forecasting.classify`) and the MASE scale (`forecasting.metrics.since_first_sale`)
already do. A series without any sale is used whole. Where statsforecast's conformal
intervals are asked for (`prediction_intervals`), their conformity scores come from the
whole series (each of their windows is fitted from its first sale the same way), so a
series launched less than 2 h + 1 periods ago still gets them. In-sample values
(`fitted=True`) are NaN before the first sale and carry no intervals (the engine asks for
neither).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from statsforecast.models import ADIDA, IMAPA, TSB, CrostonOptimized

from forecasting.metrics import first_sale


def first_sale_index(y: np.ndarray) -> int:
    """Where a model's history starts: the first sale (`metrics.first_sale`), or 0 for a
    series that never sold (used whole)."""
    return first_sale(y) or 0


class _FromFirstSale:
    """Mixin over a statsforecast intermittent model: fit from the series' first sale."""

    prediction_intervals: Any

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,
        X_future: np.ndarray | None = None,
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, Any]:
        y = np.asarray(y, dtype=float)
        start = first_sale_index(y)
        res: dict[str, Any] = super().forecast(  # type: ignore[misc]
            y[start:], h, None if X is None else X[start:], X_future, level=None, fitted=fitted
        )
        if fitted:
            res["fitted"] = np.concatenate([np.full(start, np.nan), res["fitted"]])
        if level is None:
            return res
        if self.prediction_intervals is None:
            raise ValueError(
                "You have to instantiate the class with `prediction_intervals` to calculate them"
            )
        return self._add_conformal_intervals(fcst=res, y=y, X=X, level=sorted(level))  # type: ignore[attr-defined, no-any-return]

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Any:
        y = np.asarray(y, dtype=float)
        start = first_sale_index(y)
        intervals, self.prediction_intervals = self.prediction_intervals, None
        try:
            super().fit(y[start:], None if X is None else X[start:])  # type: ignore[misc]
        finally:
            self.prediction_intervals = intervals
        self._store_cs(y=y, X=X)  # type: ignore[attr-defined]
        return self


class CrostonFromFirstSale(_FromFirstSale, CrostonOptimized):
    """statsforecast's CrostonOptimized, fitted from the first sale."""


class ADIDAFromFirstSale(_FromFirstSale, ADIDA):
    """statsforecast's ADIDA, fitted from the first sale."""


class IMAPAFromFirstSale(_FromFirstSale, IMAPA):
    """statsforecast's IMAPA, fitted from the first sale."""


class TSBFromFirstSale(_FromFirstSale, TSB):
    """statsforecast's TSB, fitted from the first sale."""
