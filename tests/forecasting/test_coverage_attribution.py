"""Backtest coverage by demand class: each test point counts for the class its series had
at its window's origin (what the planner saw), not the class of the last window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting import ForecastConfig
from forecasting.backtest import (
    CHOSEN,
    POINT_COLUMNS,
    REPORT_COLUMNS,
    BacktestReport,
    backtest,
    coverage_by_class,
)


def _report(points: pd.DataFrame, last_class: dict[str, str]) -> BacktestReport:
    series = []
    for sku, g in points.groupby("sku"):
        inside = (g["y"] >= g["lo"]) & (g["y"] <= g["hi"])
        series.append(
            {
                "level": "series",
                "role": CHOSEN,
                "model": "m",
                "sku": sku,
                "location": "L",
                "demand_class": last_class[str(sku)],
                "coverage": float(inside.mean()),
                "points": len(g),
            }
        )
    metrics = pd.DataFrame(series).reindex(columns=list(REPORT_COLUMNS))
    return BacktestReport(metrics, "p10-p90", 0.8, {}, (), points=points)


def test_points_count_for_the_class_at_their_window_origin() -> None:
    # series A: smooth at windows 1-2 (4 points, 3 inside), lumpy at window 3 (2 points,
    # both outside); series B: smooth throughout (6 points, 6 inside).
    rows = []
    a_windows = ((1, "smooth", (1, 1)), (2, "smooth", (1, 0)), (3, "lumpy", (0, 0)))
    for window, cls_a, inside_a in a_windows:
        for j in range(2):
            rows.append(("A", window, cls_a, 5.0 if inside_a[j] else 50.0))
            rows.append(("B", window, "smooth", 5.0))
    points = pd.DataFrame(
        {
            "role": CHOSEN,
            "model": "m",
            "sku": [r[0] for r in rows],
            "location": "L",
            "window": [r[1] for r in rows],
            "demand_class": [r[2] for r in rows],
            "date": pd.Timestamp("2024-01-01"),
            "mean": 5.0,
            "lo": 0.0,
            "hi": 10.0,
            "y": [r[3] for r in rows],
        }
    )[list(POINT_COLUMNS)]
    report = _report(points, {"A": "lumpy", "B": "smooth"})

    origin = coverage_by_class(report).set_index("demand_class")
    assert origin.loc["smooth", "coverage"] == 9 / 10
    assert origin.loc["smooth", ["series", "points"]].tolist() == [2, 10]
    assert origin.loc["lumpy", "coverage"] == 0.0
    assert origin.loc["lumpy", ["series", "points"]].tolist() == [1, 2]

    last = coverage_by_class(report, attribution="last").set_index("demand_class")
    assert last.loc["smooth", "coverage"] == 1.0
    assert last.loc["smooth", ["series", "points"]].tolist() == [1, 6]
    assert last.loc["lumpy", "coverage"] == 3 / 6
    assert last.loc["lumpy", ["series", "points"]].tolist() == [1, 6]


def test_backtest_keeps_the_class_assigned_at_each_window_origin() -> None:
    # daily: 40 days of sales (9, 11, ...; CV^2 0.01), then 21 days without a sale, tested
    # in 3 windows of 7 days. At the origins the series has 0, 7, 14 zero days after 40
    # days of sales: ADI 1.0, 47/40 = 1.18 (smooth), 54/40 = 1.35 >= 1.32 (intermittent).
    dates = pd.date_range("2024-01-01", periods=61, freq="D")
    units = np.concatenate([np.resize([9.0, 11.0], 40), np.zeros(21)])
    steady = np.resize([9.0, 11.0], 61)
    history = pd.concat(
        [
            pd.DataFrame({"sku": "A", "location": "L", "date": dates, "units": units}),
            pd.DataFrame({"sku": "B", "location": "L", "date": dates, "units": steady}),
        ],
        ignore_index=True,
    )
    config = ForecastConfig(
        models=("seasonal_naive", "croston_optimized"), n_windows=1, holiday_country=None
    )
    report = backtest(history, 7, 3, freq="D", config=config, references=("seasonal_naive",))

    chosen = report.points[(report.points["role"] == CHOSEN) & (report.points["sku"] == "A")]
    per_window = chosen.groupby("window")["demand_class"].agg(set).to_dict()
    assert per_window == {1: {"smooth"}, 2: {"smooth"}, 3: {"intermittent"}}
    # every role's points carry the chosen forecaster's class at the origin
    ref = report.points[(report.points["role"] == "seasonal_naive") & (report.points["sku"] == "A")]
    assert ref.groupby("window")["demand_class"].first().tolist() == [
        "smooth",
        "smooth",
        "intermittent",
    ]
    assert len(report.points) == 2 * 2 * 21
    # the series row of the metrics keeps the last window's class
    series = report.metrics[(report.metrics["level"] == "series") & (report.metrics["sku"] == "A")]
    assert set(series["demand_class"]) == {"intermittent"}

    origin = coverage_by_class(report).set_index("demand_class")
    assert origin.loc["smooth", "points"] == 2 * 7 + 21  # A's windows 1-2, all of B
    assert origin.loc["intermittent", "points"] == 7
    last = coverage_by_class(report, attribution="last").set_index("demand_class")
    assert last.loc["intermittent", "points"] == 21
