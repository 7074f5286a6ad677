"""Demand classification by ADI and CV^2 (Syntetos, Boylan & Croston 2005).

Syntetos, A.A., Boylan, J.E., Croston, J.D. (2005), "On the categorization of demand
patterns", JORS 56(5): ADI = average inter-demand interval (periods per non-zero demand),
CV^2 = squared coefficient of variation of the non-zero demand sizes. Cut-offs 1.32 and 0.49:

| | CV^2 < 0.49 | CV^2 >= 0.49 |
|---|---|---|
| ADI < 1.32 | smooth | erratic |
| ADI >= 1.32 | intermittent | lumpy |

A series without any sale has no inter-demand interval or size to measure: it is its own
class, "no_sales" (not selling, or not launched yet), not a demand pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy.typing as npt
import pandas as pd

from forecasting.metrics import since_first_sale

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
NO_SALES = "no_sales"
DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy", NO_SALES)


@dataclass(frozen=True)
class DemandProfile:
    """ADI (periods per non-zero demand), CV^2 of non-zero sizes, and the class name."""

    adi: float
    cv2: float
    demand_class: str


def classify_demand(units: npt.ArrayLike) -> DemandProfile:
    """Classify one series of per-period demand (units >= 0, oldest first).

    The series is measured from its first non-zero period (leading zeros are "not yet
    selling", not intermittence). ADI = periods / non-zero periods. CV^2 uses the population
    standard deviation of the non-zero sizes. A series with no demand at all is "no_sales"
    (`NO_SALES`) with infinite ADI and NaN CV^2.
    """
    active = since_first_sale(units)
    if active.size == 0:
        return DemandProfile(adi=float("inf"), cv2=float("nan"), demand_class=NO_SALES)
    sizes = active[active > 0]
    adi = active.size / sizes.size
    mean = sizes.mean()
    cv2 = float((sizes.std() / mean) ** 2) if mean > 0 else 0.0
    if adi < ADI_CUTOFF:
        name = "smooth" if cv2 < CV2_CUTOFF else "erratic"
    else:
        name = "intermittent" if cv2 < CV2_CUTOFF else "lumpy"
    return DemandProfile(adi=float(adi), cv2=cv2, demand_class=name)


def classify_series(df: pd.DataFrame) -> pd.DataFrame:
    """Classify every series of a long frame `unique_id, ds, y` (sorted by id, ds).

    Returns `unique_id, adi, cv2, demand_class`.
    """
    rows = []
    for uid, group in df.groupby("unique_id", sort=False, observed=True):
        p = classify_demand(group["y"].to_numpy())
        rows.append((uid, p.adi, p.cv2, p.demand_class))
    return pd.DataFrame(rows, columns=["unique_id", "adi", "cv2", "demand_class"])
