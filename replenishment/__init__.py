"""Replenishment engine: order suggestions from probabilistic forecasts, and a policy simulator.

Pure numpy/pandas: no database, no clock, no forecasting import (the simulator takes a
forecaster callable).
"""

from replenishment.inputs import ReplenishmentInputError
from replenishment.planning import SUGGESTION_COLUMNS, ExceptionThresholds, plan_replenishment

__all__ = [
    "ExceptionThresholds",
    "ReplenishmentInputError",
    "SUGGESTION_COLUMNS",
    "plan_replenishment",
]
