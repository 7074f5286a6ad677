"""Rolling-origin backtest of `forecast` against plain statsforecast references.

The last `windows * horizon` periods of the history are split into `windows` consecutive
test windows. For each, `forecast` (with its own inner selection) and every reference model
(one model for all series; statsforecast's own version as it comes, e.g. its Croston on
the whole row, not the engine's from the first sale; `seasonal_naive_level` is the
project's own; its 80% interval, or statsforecast's conformal one where it has none) are
fitted on the periods
before the window; feature values over the window come from the history itself (as if the
promotions calendar and the weather forecast had been exact). Errors are pooled over the
windows per series: MASE, RMSSE (scaled by the seasonal-naive error of the history before
the first test window, from the series' first sale on, as in the M5 competition: leading
zeros are periods before the product sold there, and whether a file holds them must not
change the figure), WAPE, bias, and coverage of the interval between the lowest and the
highest requested quantile. The overall row averages MASE and RMSSE over series and pools
WAPE, bias and coverage over all points.

A series' demand class can change from one window to the next (its history grows). The
series rows of `metrics` carry the class of the last window; `points` keeps, for every
test point, the class `forecast` assigned at that window's origin (the class a planner saw
when the forecast was made), which `coverage_by_class` uses by default.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from forecasting.candidates import build_model, conformal_intervals_for
from forecasting.config import FREQUENCIES, ForecastConfig
from forecasting.engine import forecast
from forecasting.errors import ForecastInputError
from forecasting.inputs import feature_columns, prepare_inputs, read_dates, resolve_freq
from forecasting.metrics import (
    bias,
    coverage,
    mase,
    rmsse,
    seasonal_naive_scale,
    since_first_sale,
    wape,
)
from forecasting.quantiles import quantile_column, validate_quantiles
from forecasting.runner import Runner

CHOSEN = "chosen"
METRIC_COLUMNS = ("mase", "rmsse", "wape", "bias", "coverage", "points")
REPORT_COLUMNS = ("level", "role", "model", "sku", "location", "demand_class", *METRIC_COLUMNS)
POINT_COLUMNS = (
    "role", "model", "sku", "location", "window", "demand_class", "date", "mean", "lo", "hi", "y"
)  # fmt: skip


@dataclass(frozen=True)
class BacktestReport:
    """`metrics`: M.csv form, columns `REPORT_COLUMNS`: level "series" (one row per series
    and role) or "overall" (one row per role); role "chosen" is `forecast`'s pick, other
    roles are the reference model names. `coverage` is for the interval `interval`
    (e.g. "p10-p90", nominal `nominal_coverage`). `seconds`: wall time per role.
    `points`: one row per test point and role, columns `POINT_COLUMNS`: `window` (1-based),
    `demand_class` = the class `forecast` assigned to the series at that window's origin
    (for every role), `model` the model that made the point's forecast (e.g.
    "cold_start_profile"), `lo`/`hi` the interval, `y` the actual."""

    metrics: pd.DataFrame
    interval: str
    nominal_coverage: float
    seconds: dict[str, float]
    warnings: tuple[str, ...]
    points: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=POINT_COLUMNS))


def _shift(date: pd.Timestamp, freq: str, periods: int) -> pd.Timestamp:
    """`date` moved by `periods` periods (negative: back). Monthly dates keep their label:
    a month's first day stays a first day, its last day a last day (2024-04-30 back one
    month is 2024-03-31, not 2024-03-30)."""
    if freq == "M":
        moved = date + pd.DateOffset(months=periods)
        return moved + pd.offsets.MonthEnd(0) if date.is_month_end else moved
    return date + pd.Timedelta(days=periods * (7 if freq == "W" else 1))


def backtest(
    history: pd.DataFrame,
    horizon: int,
    windows: int,
    *,
    freq: str | None = None,
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
    config: ForecastConfig | None = None,
    references: Sequence[str] = ("seasonal_naive", "auto_ets"),
    engine: str = "local",
    items: pd.DataFrame | None = None,
) -> BacktestReport:
    """Backtest `forecast` over `windows` rolling origins of `horizon` periods each (`freq`
    as `forecast`'s: None = read from the dates, named in `warnings` when not daily)."""
    if windows < 1:
        raise ForecastInputError([f"windows must be >= 1, got {windows}"])
    cfg = config or ForecastConfig()
    freq_code, inferred = resolve_freq(freq, history)
    qs = validate_quantiles(quantiles)
    lo_q, hi_q = qs[0], qs[-1]
    if lo_q >= 0.5 or hi_q <= 0.5:
        raise ForecastInputError(
            ["quantiles must include one below and one above 0.5 for coverage"]
        )
    lo_col, hi_col = quantile_column(lo_q), quantile_column(hi_q)
    level = round((hi_q - lo_q) * 100)
    # validates history (raises ForecastInputError) and gives the gap-filled frame
    prep = prepare_inputs(history, horizon, freq=freq_code, holiday_country=None)
    ids = prep.ids.set_index("unique_id")
    full = prep.train.join(ids, on="unique_id")
    last = full["ds"].max()
    first_cutoff = _shift(last, freq_code, -windows * horizon)
    if full["ds"].min() >= first_cutoff:
        raise ForecastInputError(
            [
                f"history too short for {windows} window{'s' if windows != 1 else ''} of"
                f" {horizon} periods: it spans {full['ds'].nunique()} periods, the windows"
                f" need at least {windows * horizon + 2} (two before the first window)"
            ]
        )
    season = cfg.season_length or FREQUENCIES[freq_code][0]
    scales = _series_scales(full[full["ds"] <= first_cutoff], season)
    raw = history.copy()
    raw["date"] = read_dates(raw["date"])[0]  # validated by prepare_inputs
    raw["sku"] = raw["sku"].astype(str)
    raw["location"] = raw["location"].astype(str)
    features = list(feature_columns(raw))
    runner = Runner(engine=engine, n_jobs=cfg.n_jobs)
    seconds: dict[str, float] = {CHOSEN: 0.0, **{r: 0.0 for r in references}}
    predictions = []
    classes: dict[tuple[str, str], str] = {}
    origin_classes = []
    warnings: list[str] = [] if inferred is None else [inferred]
    for k in range(windows):
        cutoff = _shift(first_cutoff, freq_code, k * horizon)
        end = _shift(cutoff, freq_code, horizon)
        train = raw[raw["date"] <= cutoff]
        test_rows = raw[(raw["date"] > cutoff) & (raw["date"] <= end)]
        future = test_rows[["sku", "location", "date", *features]] if features else None
        started = time.perf_counter()
        result = forecast(
            train,
            horizon,
            future=future,
            freq=freq_code,
            quantiles=qs,
            config=cfg,
            engine=engine,
            items=items,
        )
        seconds[CHOSEN] += time.perf_counter() - started
        warnings.extend(f"window {k + 1}: {w}" for w in result.warnings)
        chosen = result.forecasts.rename(columns={lo_col: "lo", hi_col: "hi"})
        chosen["role"] = CHOSEN
        chosen["window"] = k + 1
        predictions.append(
            chosen[["sku", "location", "date", "mean", "lo", "hi", "model", "role", "window"]]
        )
        for row in result.selection.itertuples(index=False):
            classes[(row.sku, row.location)] = row.demand_class
        origin_classes.append(
            result.selection[["sku", "location", "demand_class"]].assign(window=k + 1)
        )
        cut_prep = prepare_inputs(
            train, horizon, freq=freq_code, future=future, holiday_country=cfg.holiday_country
        )
        cut_ids = cut_prep.ids.set_index("unique_id")
        for name in references:
            started = time.perf_counter()
            intervals = conformal_intervals_for(name, horizon, cfg.n_windows)
            model = build_model(
                name, season, freq=freq_code, prediction_intervals=intervals, plain=True
            )
            out = runner.forecast(
                [model],
                cut_prep.train,
                horizon,
                freq=cut_prep.sf_freq,
                season_length=season,
                future=cut_prep.future,
                level=[level],
            )
            seconds[name] += time.perf_counter() - started
            ref = out.join(cut_ids, on="unique_id")
            predictions.append(
                pd.DataFrame(
                    {
                        "sku": ref["sku"],
                        "location": ref["location"],
                        "date": ref["ds"],
                        "mean": ref[name].clip(lower=0),
                        "lo": ref[f"{name}-lo-{level}"].clip(lower=0),
                        "hi": ref[f"{name}-hi-{level}"].clip(lower=0),
                        "model": name,
                        "role": name,
                        "window": k + 1,
                    }
                )
            )
    pred = pd.concat(predictions, ignore_index=True)
    for name in references:
        blank = pred.loc[pred["role"] == name, "mean"].isna()
        if blank.any():
            warnings.append(
                f"{name}: no forecast for {int(blank.sum())} of {blank.size} test points (a"
                " history shorter than the model needs at the window's origin): its MASE,"
                " RMSSE, WAPE and bias are empty for the series with such points, its overall"
                " WAPE and bias too, and such a point counts as outside the interval"
            )
    actual = full.rename(columns={"ds": "date"})[["sku", "location", "date", "y"]]
    pred = pred.merge(actual, on=["sku", "location", "date"], how="left")
    pred["y"] = pred["y"].fillna(0.0)
    metrics = _metrics(pred, scales, classes)
    at_origin = pd.concat(origin_classes, ignore_index=True).drop_duplicates(
        ["sku", "location", "window"]
    )
    points = pred.merge(at_origin, on=["sku", "location", "window"], how="left")
    points["demand_class"] = points["demand_class"].fillna("unknown")
    return BacktestReport(
        metrics=metrics,
        interval=f"{lo_col}-{hi_col}",
        nominal_coverage=hi_q - lo_q,
        seconds=seconds,
        warnings=tuple(dict.fromkeys(warnings)),
        points=points[list(POINT_COLUMNS)],
    )


def _series_scales(train: pd.DataFrame, season: int) -> dict[tuple[str, str], tuple[float, float]]:
    """(sku, location) -> the MASE and RMSSE scales of its `train` rows (sku, location, ds,
    y; dates ascending): the mean absolute and squared seasonal difference from the series'
    first sale on (NaN with fewer than two periods since it, e.g. never sold)."""
    scales = {}
    for key, g in train.groupby(["sku", "location"]):
        active = since_first_sale(g["y"].to_numpy())
        scales[key] = (
            seasonal_naive_scale(active, season),
            seasonal_naive_scale(active, season, power=2),
        )
    return scales


def _metrics(
    pred: pd.DataFrame,
    scales: dict[tuple[str, str], tuple[float, float]],
    classes: dict[tuple[str, str], str],
) -> pd.DataFrame:
    rows = []
    for (role, sku, location), g in pred.groupby(["role", "sku", "location"], sort=True):
        scale, scale2 = scales.get((sku, location), (float("nan"), float("nan")))
        y, yhat = g["y"].to_numpy(), g["mean"].to_numpy()
        rows.append(
            {
                "level": "series",
                "role": role,
                "model": g["model"].iloc[-1],
                "sku": sku,
                "location": location,
                "demand_class": classes.get((sku, location), "unknown"),
                "mase": mase(y, yhat, scale),
                "rmsse": rmsse(y, yhat, scale2),
                "wape": wape(y, yhat),
                "bias": bias(y, yhat),
                "coverage": coverage(y, g["lo"], g["hi"]),
                "points": len(g),
            }
        )
    series = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    overall = []
    for role, g in pred.groupby("role", sort=True):
        per = series[series["role"] == role]
        y, yhat = g["y"].to_numpy(), g["mean"].to_numpy()
        overall.append(
            {
                "level": "overall",
                "role": role,
                "model": role if role != CHOSEN else "selected per series",
                "sku": "",
                "location": "",
                "demand_class": "all",
                "mase": float(per["mase"].mean()),  # skips NaN; NaN when all are
                "rmsse": float(per["rmsse"].mean()),
                "wape": wape(y, yhat),
                "bias": bias(y, yhat),
                "coverage": coverage(y, g["lo"], g["hi"]),
                "points": len(g),
            }
        )
    return pd.concat(
        [pd.DataFrame(overall, columns=list(REPORT_COLUMNS)), series], ignore_index=True
    )


def coverage_by_class(
    report: BacktestReport, role: str = CHOSEN, attribution: str = "origin"
) -> pd.DataFrame:
    """Coverage of one role by demand class: columns demand_class, coverage (share of the
    class's test points inside the interval), series (distinct series with points in the
    class), points.

    attribution "origin": each test point counts for the class its series had at its
    window's origin (`report.points`); "last": every point of a series counts for the class
    of the last window (the series rows of `report.metrics`), as before the per-window
    classes were kept.
    """
    if attribution == "origin":
        rows = report.points[report.points["role"] == role]
        hits = coverage_hits(rows["y"], rows["lo"], rows["hi"])
        grouped = rows.assign(hits=hits, key=rows["sku"] + "\x1f" + rows["location"]).groupby(
            "demand_class"
        )
        out = pd.DataFrame(
            {
                "hits": grouped["hits"].sum(),
                "series": grouped["key"].nunique(),
                "points": grouped.size(),
            }
        )
    elif attribution == "last":
        series = report.metrics[
            (report.metrics["level"] == "series") & (report.metrics["role"] == role)
        ]
        weighted = series.assign(hits=series["coverage"] * series["points"])
        grouped = weighted.groupby("demand_class")
        out = pd.DataFrame(
            {
                "hits": grouped["hits"].sum(),
                "series": grouped.size(),
                "points": grouped["points"].sum(),
            }
        )
    else:
        raise ValueError(f"attribution must be 'origin' or 'last', got {attribution!r}")
    out["coverage"] = out["hits"] / out["points"]
    out["points"] = out["points"].astype(int)
    return out.reset_index()[["demand_class", "coverage", "series", "points"]]


def coverage_hits(y: pd.Series, lo: pd.Series, hi: pd.Series) -> pd.Series:
    """1.0 where lo <= y <= hi, else 0.0 (the per-point form of `metrics.coverage`)."""
    return ((y >= lo) & (y <= hi)).astype(float)


__all__ = ["BacktestReport", "backtest", "coverage_by_class", "coverage_hits"]
