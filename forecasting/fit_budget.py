"""A bound on the cost of per-series model fits when the caller leaves the models open.

AutoETS and MSTL are fitted series by series, in every backtest window and once more on the
full history; on 10,000 daily series of two years that is about an hour of this 2-core
machine, where the global LightGBM model and the cheap baselines take under a minute. With
`ForecastConfig.local_fit_budget` (core-seconds, estimated), the series with the most units
sold keep every default candidate of their class as long as the estimated cost of those
per-series fits stays within the budget; the others choose among the cheap candidates
(SeasonalNaive and LightGBM for smooth and erratic demand; the intermittent family is cheap
and always kept). The estimate is a fixed function of the inputs, not a clock, so the same
data and settings give the same model choice on every machine.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from forecasting.candidates import MAX_ETS_SEASON

# Per-series models whose cost the budget bounds.
BUDGETED_MODELS = frozenset({"auto_ets", "mstl", "auto_arima", "group_seasonal_ets"})
# Estimated core-seconds per history period and per fit (a backtest window or the final
# fit), from runs on the shared 2-core machine (2026-11-23): in `forecast` with the default
# 3 windows, the 312 daily two-year series that kept AutoETS in benchmarks/forecast_speed.py's
# 10,000 cost 90 s of wall time on 2 processes over the run without it, 0.58 core-seconds
# a series, i.e. 2.0e-4 s per period and fit. statsforecast's own fit of AutoETS on
# 800-day series costs 0.39 ms a period with a weekly season and a tenth of that without
# one (weekly data: ETS models no season above 24 periods); MSTL (weekly + yearly seasons,
# AutoARIMA trend) 1.55x AutoETS with a season; AutoARIMA (opt-in only) ~10x AutoETS.
SECONDS_PER_PERIOD_FIT = {
    ("auto_ets", True): 2.0e-4,
    ("auto_ets", False): 2.0e-5,
    ("mstl", True): 3.1e-4,
    ("mstl", False): 3.1e-4,
    ("auto_arima", True): 2.0e-3,
    ("auto_arima", False): 2.0e-4,
    # AutoETS without a season on the deseasonalised series (forecasting.group_seasonal)
    ("group_seasonal_ets", True): 2.0e-5,
    ("group_seasonal_ets", False): 2.0e-5,
}


def estimated_fit_seconds(
    names: tuple[str, ...], n_obs: int, season_length: int, fits: int
) -> float:
    """Estimated core-seconds of the budgeted models among `names` on one series of `n_obs`
    periods, each fitted `fits` times."""
    seasonal = 1 < season_length <= MAX_ETS_SEASON
    per_fit = sum(
        SECONDS_PER_PERIOD_FIT[(name, seasonal)] * n_obs
        for name in names
        if name in BUDGETED_MODELS
    )
    return per_fit * fits


def within_budget(
    candidates: Mapping[int, tuple[str, ...]],
    stats: pd.DataFrame,
    *,
    season_length: int,
    fits: int,
    budget_seconds: float,
) -> tuple[set[int], float]:
    """Series (unique_id) that keep their budgeted candidates, and the estimated core-seconds
    of the others' budgeted fits that the budget saves.

    Series are taken in order of units sold (`stats["units"]`, most first; ties by id) and
    kept while the running estimate stays within `budget_seconds`; a series whose own cost
    would pass the budget is skipped and smaller ones after it may still fit.
    """
    costs = {
        uid: estimated_fit_seconds(names, int(stats.at[uid, "length"]), season_length, fits)
        for uid, names in candidates.items()
    }
    priced = [uid for uid, cost in costs.items() if cost > 0]
    order = sorted(priced, key=lambda uid: (-float(stats.at[uid, "units"]), uid))
    kept: set[int] = {uid for uid, cost in costs.items() if cost == 0}
    spent = 0.0
    saved = 0.0
    for uid in order:
        if spent + costs[uid] <= budget_seconds:
            kept.add(uid)
            spent += costs[uid]
        else:
            saved += costs[uid]
    return kept, saved


def without_budgeted(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` less the budgeted per-series models (SeasonalNaive when nothing is left)."""
    return tuple(n for n in names if n not in BUDGETED_MODELS) or ("seasonal_naive",)
