"""Demand forecasting core: pure computation on DataFrames (statsforecast engine).

Public API: `forecast(history, horizon, ...) -> ForecastResult`, `ForecastConfig`,
`ForecastInputError`, and `backtest(...)` for accuracy reports.
"""

from forecasting.config import ForecastConfig
from forecasting.engine import forecast
from forecasting.errors import ForecastInputError
from forecasting.result import ForecastResult

__all__ = ["ForecastConfig", "ForecastInputError", "ForecastResult", "forecast"]
