"""Defaults of the daily plan that the CLI shows in its options: plain values, no imports,
so that `import supplycast.cli` stays light."""

DAILY_FORECAST_MODELS = ("seasonal_naive", "croston_optimized", "tsb", "lightgbm")
"""The daily plan's default forecast candidates: seasonal naive for smooth series,
Croston (optimized) / TSB for intermittent ones, and the LightGBM global model, the one that
uses promotions, weather and calendar features. Measured (benchmarks/forecast_speed.py):
10,000 daily series x 2 years, horizon 28, in 28 s on 2 cores. The forecaster's full candidate
set per demand class (AutoETS, AutoARIMA, MSTL, ...) costs about 0.4 s of CPU per series and
backtest window with AutoETS alone: hours for 10,000 series."""

DAILY_FORECAST_MODELS_OPTION = ",".join(DAILY_FORECAST_MODELS)
"""The same, as the comma-separated text of a `--forecast-models` option."""
