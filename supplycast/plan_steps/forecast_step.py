"""Forecast step: sales history + promotions + weather -> forecasting inputs; results -> rows.

Features handed to `forecasting.forecast` (H.csv / X.csv form):
- `on_promo` (0/1) and `discount_pct` (0-100, the deepest promotion that day) for every
  series and date, from promotions (a blank location applies to every location);
- `temperature_c`, `precipitation_mm` from weather, only when weather covers every history
  row and every horizon day of every series (observed up to as-of, forecast after);
  otherwise they are left out and a warning says so.
A feature that is constant over the whole history (e.g. no promotion at all) is left out: it
carries no information and only makes regression designs singular.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from replenishment.inputs import quantile_columns
from supplycast.plan_steps.inputs import PlanningInputs, PlanParameters, daily_history

WEATHER_FEATURES = ("temperature_c", "precipitation_mm")


def _promotion_features(keys: pd.DataFrame, promotions: pd.DataFrame) -> pd.DataFrame:
    """`keys` (sku, location, date) + on_promo, discount_pct."""
    out = keys[["sku", "location", "date"]].copy()
    out["discount_pct"] = 0.0
    if len(promotions) and len(out):
        candidates = out.reset_index().merge(promotions, on="sku", how="inner", suffixes=("", "_p"))
        applies = (
            (
                (candidates["location_p"] == candidates["location"])
                | (candidates["location_p"].fillna("") == "")
            )
            & (candidates["start_date"] <= candidates["date"])
            & (candidates["date"] <= candidates["end_date"])
        )
        deepest = candidates[applies].groupby("index")["discount_pct_p"].max()
        out.loc[deepest.index, "discount_pct"] = deepest.astype(float)
    out["on_promo"] = (out["discount_pct"] > 0).astype(float)
    return out


def _with_weather(frame: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame | None:
    """`frame` + weather columns, or None when any row lacks a weather value."""
    if not len(weather):
        return None
    columns = [c for c in WEATHER_FEATURES if c in weather.columns]
    if not columns:
        return None
    daily = weather.groupby(["location", "date"], as_index=False)[columns].mean()
    merged = frame.merge(daily, on=["location", "date"], how="left")
    if merged[columns].isna().any().any():
        return None
    return merged


def build_forecast_inputs(
    inputs: PlanningInputs, parameters: PlanParameters
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """(history, future, warnings) in H.csv / X.csv form for every sku x location with sales.

    History: units summed per sku x location x day (returns stay negative; the forecaster
    nets and clips them), through as_of: when no series sold after an earlier day, every
    series gets a 0-unit row on as_of, with a warning (the days in between count as days
    without sales, as any day without a row does). Future: every series over as_of + 1 ..
    as_of + horizon_days.
    """
    history = daily_history(inputs.sales)
    series = history[["sku", "location"]].drop_duplicates().reset_index(drop=True)
    as_of = pd.Timestamp(inputs.as_of)
    horizon = pd.date_range(as_of + pd.Timedelta(days=1), periods=parameters.horizon_days, freq="D")
    future = series.merge(pd.DataFrame({"date": horizon}), how="cross")
    warnings: list[str] = []
    last_sale_day = history["date"].max() if len(history) else as_of
    if last_sale_day < as_of:
        # the forecaster starts the day after its history's last date: without a row on
        # as_of its forecasts would be dated from the day after the last sale, not as_of + 1
        history = pd.concat([history, series.assign(date=as_of, units=0.0)], ignore_index=True)
        warnings.append(
            f"no sales recorded for any series after {last_sale_day.date()}: the days up to"
            f" {as_of.date()} count as days without sales (a closed day, or sales not yet"
            " imported?)"
        )

    promo_history = _promotion_features(history, inputs.promotions)
    promo_future = _promotion_features(future, inputs.promotions)
    history = history.merge(promo_history, on=["sku", "location", "date"], how="left")
    future = future.merge(promo_future, on=["sku", "location", "date"], how="left")

    weather_history = _with_weather(history, inputs.weather)
    weather_future = _with_weather(future, inputs.weather)
    if weather_history is not None and weather_future is not None:
        history, future = weather_history, weather_future
    elif len(inputs.weather):
        warnings.append(
            "weather left out of the forecast: it does not cover every sales day and every "
            "horizon day of every location"
        )
    constant = [
        c
        for c in history.columns
        if c not in ("sku", "location", "date", "units") and history[c].nunique(dropna=False) <= 1
    ]
    if constant:  # no variation in the history: nothing to learn, only a singular design
        history = history.drop(columns=constant)
        future = future.drop(columns=constant)
    return history.reset_index(drop=True), future.reset_index(drop=True), tuple(warnings)


def run_forecast(
    forecast: Any,
    inputs: PlanningInputs,
    parameters: PlanParameters,
    history: pd.DataFrame,
    future: pd.DataFrame | None,
) -> Any:
    """Call the forecasting core (`forecasting.forecast`, passed in) with the plan's horizon,
    quantiles, item categories (for cold starts) and, when set, its model list, windows and
    selection shrinkage, with cumulative quantiles (`cum_pNN`) for the replenishment step's
    protection intervals. Returns the core's `ForecastResult`."""
    options: dict[str, Any] = {}
    if parameters.forecast_selection_shrinkage is not None:
        from forecasting import ForecastConfig  # the core, imported only when configured

        options["config"] = ForecastConfig(
            selection_shrinkage=parameters.forecast_selection_shrinkage
        )
    if parameters.forecast_models is not None:
        options["models"] = parameters.forecast_models
    if parameters.forecast_windows is not None:
        options["n_windows"] = parameters.forecast_windows
    return forecast(
        history,
        parameters.horizon_days,
        future=future,
        freq="D",  # the plan is daily (its horizon is in days), whatever gaps the dates have
        quantiles=parameters.quantiles,
        items=inputs.items[["sku", "category"]],
        cumulative_quantiles=True,
        **options,
    )


def forecast_rows(forecasts: pd.DataFrame) -> pd.DataFrame:
    """F.csv frame -> `plan_forecasts` columns: p10/p50/p90 kept, other levels in `quantiles`."""
    rows = forecasts.copy()
    extra = [c for c in quantile_columns(rows).values() if c not in ("p10", "p50", "p90")]
    if extra:
        rows["quantiles"] = rows[extra].astype(float).to_dict(orient="records")
    else:
        rows["quantiles"] = None
    for column in ("p10", "p50", "p90"):
        if column not in rows.columns:
            rows[column] = None
    if "model" not in rows.columns:
        rows["model"] = None
    return rows[["sku", "location", "date", "mean", "p10", "p50", "p90", "quantiles", "model"]]


def _jsonable(value: Any) -> Any:
    """A JSON-safe form of one selection cell: numbers, strings, bools or None."""
    if isinstance(value, (list, tuple, dict)):
        return str(value)
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def backtest_rows(selection: pd.DataFrame) -> pd.DataFrame:
    """Forecast `.selection` frame -> `plan_backtest_metrics` columns (extras in `metrics`)."""
    known = ["sku", "location", "demand_class", "model", "mase", "cold_start"]
    rows = selection.copy()
    for column in known:
        if column not in rows.columns:
            rows[column] = None
    rows["cold_start"] = rows["cold_start"].fillna(False).astype(bool)
    extra = [c for c in rows.columns if c not in known]
    if extra:
        rows["metrics"] = [
            {k: _jsonable(v) for k, v in r.items()} for r in rows[extra].to_dict(orient="records")
        ]
    else:
        rows["metrics"] = None
    return rows[known + ["metrics"]]
