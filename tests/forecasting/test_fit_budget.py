"""`ForecastConfig.local_fit_budget`: which series keep the per-series AutoETS/MSTL fits."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from forecasting.fit_budget import estimated_fit_seconds, within_budget, without_budgeted
from tests.forecasting.helpers import WEEK, series_frame

CONTINUOUS = ("seasonal_naive", "auto_ets", "mstl", "lightgbm")
SPARSE = ("croston_optimized", "adida", "imapa", "tsb", "lightgbm")


def test_cost_counts_only_the_budgeted_models_and_grows_with_history_and_fits() -> None:
    assert estimated_fit_seconds(SPARSE, 700, 7, fits=4) == 0.0
    assert estimated_fit_seconds(("seasonal_naive", "lightgbm"), 700, 7, fits=4) == 0.0
    one = estimated_fit_seconds(("auto_ets",), 100, 7, fits=1)
    assert one > 0
    # linear in history periods and in fits
    assert estimated_fit_seconds(("auto_ets",), 300, 7, fits=4) == pytest.approx(12 * one)
    # ETS without a season (weekly data: a 52-period season is not an ETS season) is cheaper
    assert estimated_fit_seconds(("auto_ets",), 100, 52, fits=1) < one
    assert estimated_fit_seconds(("auto_ets",), 100, 1, fits=1) < one
    # MSTL is priced on top of AutoETS
    assert estimated_fit_seconds(("auto_ets", "mstl"), 100, 7, fits=1) > one
    # group_seasonal_ets fits AutoETS without a season whatever the season length
    for season in (12, 52):
        assert estimated_fit_seconds(
            ("auto_ets", "group_seasonal_ets"), 100, season, fits=1
        ) == pytest.approx(
            estimated_fit_seconds(("auto_ets",), 100, season, fits=1)
            + estimated_fit_seconds(("auto_ets",), 100, 52, fits=1)
        )


def _stats(lengths: list[int], units: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"length": lengths, "units": units}, index=range(len(lengths)))


def test_series_with_most_units_keep_their_fits_within_the_budget() -> None:
    stats = _stats([100, 100, 100, 100], [10.0, 40.0, 30.0, 20.0])
    candidates = {uid: CONTINUOUS for uid in stats.index}
    cost = estimated_fit_seconds(CONTINUOUS, 100, 7, fits=2)
    kept, saved = within_budget(
        candidates, stats, season_length=7, fits=2, budget_seconds=2.5 * cost
    )
    assert kept == {1, 2}  # 40 and 30 units sold; 20 and 10 do not fit
    assert saved == pytest.approx(2 * cost)
    # the whole budget for all four, none for a budget of 0
    assert within_budget(candidates, stats, season_length=7, fits=2, budget_seconds=4 * cost)[
        0
    ] == {0, 1, 2, 3}
    assert within_budget(candidates, stats, season_length=7, fits=2, budget_seconds=0)[0] == set()


def test_a_series_too_costly_for_what_is_left_is_skipped_for_smaller_ones() -> None:
    # series 0 sold the most but is 10x as long: first in line, it alone costs more than the
    # budget, so it is skipped; 1 and 2 still fit
    stats = _stats([1000, 100, 100], [500.0, 40.0, 30.0])
    candidates = {uid: CONTINUOUS for uid in stats.index}
    short = estimated_fit_seconds(CONTINUOUS, 100, 7, fits=1)
    kept, saved = within_budget(
        candidates, stats, season_length=7, fits=1, budget_seconds=3 * short
    )
    assert kept == {1, 2}
    assert saved == pytest.approx(10 * short)


def test_series_without_budgeted_candidates_are_always_kept() -> None:
    stats = _stats([100, 100], [1.0, 2.0])
    kept, saved = within_budget(
        {0: SPARSE, 1: CONTINUOUS}, stats, season_length=7, fits=4, budget_seconds=0
    )
    assert kept == {0} and saved > 0
    assert without_budgeted(CONTINUOUS) == ("seasonal_naive", "lightgbm")
    assert without_budgeted(("auto_ets", "mstl")) == ("seasonal_naive",)
    assert without_budgeted(SPARSE) == SPARSE


def _three_smooth_series() -> pd.DataFrame:
    """Three daily series of 84 days with the WEEK pattern plus noise, sizes 1x, 3x, 2x: the
    second (S001) sold the most."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2024-01-01", periods=84, freq="D")
    base = np.resize(WEEK, 84)
    values = np.vstack([k * base + rng.normal(0, 1, 84) for k in (1.0, 3.0, 2.0)])
    return series_frame(np.clip(values, 0, None), dates)


def _tried(selection: pd.DataFrame) -> dict[str, set[str]]:
    return {
        sku: {part.split("=")[0] for part in str(scores).split(";") if part}
        for sku, scores in zip(selection["sku"], selection["scores"], strict=True)
    }


def test_forecast_offers_autoets_to_the_biggest_series_within_the_budget() -> None:
    history = _three_smooth_series()
    base = ForecastConfig(n_windows=1, holiday_country=None, ensemble_top=1)
    # one series' worth of estimated AutoETS fits (84 periods, 1 window + the final fit;
    # no MSTL on less than two years)
    one_series = estimated_fit_seconds(("seasonal_naive", "auto_ets"), 84, 7, fits=2)
    budgeted = forecast(
        history, 7, config=dataclasses.replace(base, local_fit_budget=1.5 * one_series)
    )
    tried = _tried(budgeted.selection)
    assert "auto_ets" in tried["S001"]
    assert "auto_ets" not in tried["S000"] and "auto_ets" not in tried["S002"]
    assert tried["S000"] == {"seasonal_naive", "lightgbm"}
    assert any("2 of 3 series" in w and "local_fit_budget" in w for w in budgeted.warnings)

    unbounded = forecast(history, 7, config=dataclasses.replace(base, local_fit_budget=None))
    assert all("auto_ets" in models for models in _tried(unbounded.selection).values())
    assert not any("local_fit_budget" in w for w in unbounded.warnings)


def test_named_models_are_tried_whatever_the_budget() -> None:
    config = ForecastConfig(
        models=("seasonal_naive", "auto_ets"),
        n_windows=1,
        holiday_country=None,
        ensemble_top=1,
        local_fit_budget=0,
    )
    result = forecast(_three_smooth_series(), 7, config=config)
    assert all(m == {"seasonal_naive", "auto_ets"} for m in _tried(result.selection).values())
    assert not any("local_fit_budget" in w for w in result.warnings)


def test_budget_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="local_fit_budget"):
        ForecastConfig(local_fit_budget=-1)
    with pytest.raises(ValueError, match="local_fit_budget"):
        ForecastConfig(local_fit_budget=float("nan"))
