"""Candidate models per demand class, built as statsforecast model objects.

Each model's `alias` is its name in `forecasting.config.MODEL_NAMES`, which is also what the
`model` column of the forecasts reports.
"""

from __future__ import annotations

from typing import Any

from statsforecast.models import (
    ADIDA,
    IMAPA,
    MSTL,
    TSB,
    AutoARIMA,
    AutoETS,
    CrostonOptimized,
    SeasonalNaive,
)
from statsforecast.utils import ConformalIntervals

from forecasting.config import MODEL_NAMES
from forecasting.intermittent import (
    ADIDAFromFirstSale,
    CrostonFromFirstSale,
    IMAPAFromFirstSale,
    TSBFromFirstSale,
)
from forecasting.seasonal_change import MIN_CHANGES, LevelAdjustedSeasonalNaive

# Models tried per class when the caller does not restrict them. Continuous (smooth,
# erratic) demand gets the seasonal/trend families; sparse demand (intermittent, lumpy)
# the intermittent family (Syntetos & Boylan; Kourentzes 2014 for ADIDA/IMAPA; Teunter,
# Syntetos & Babai 2011 for TSB), fitted from each series' first sale
# (forecasting.intermittent: the periods before it are not intervals between demands).
# Series of the "no_sales" class (no sale at all) are cold starts (`forecasting.engine`),
# never fitted, so they have no candidates.
# AutoARIMA is not a default candidate: it costs 10-20x AutoETS per series here (measured
# ~12 s vs ~1 s per 2-year daily series on the loaded 2-core machine); name it in
# `ForecastConfig.models` to include it. LevelAdjustedSeasonalNaive (last season plus the
# mean seasonal change of the last 13 periods, forecasting.seasonal_change) is the seasonal
# model of data whose season is longer than AutoETS models (weekly data, 52 periods);
# monthly data has AutoETS's 12-month season, daily data AutoETS's weekly one and MSTL's
# yearly one. group_seasonal_ets (AutoETS on series divided by seasonal indices estimated
# from all series of the same SKU, forecasting.group_seasonal) is tried on weekly and
# monthly data, where a series holds a few observations of each period of its season;
# daily data has hundreds of each weekday. top_down_share (the SKU's total forecast by
# AutoETS, split by each location's share of the last h periods, forecasting.top_down) on
# the same data: a location's season and trend from its SKU's summed sales (not measured
# on daily data: the shared sets hold no daily SKU sold at several locations).
CONTINUOUS_CANDIDATES = (
    "seasonal_naive",
    "seasonal_naive_level",
    "auto_ets",
    "auto_arima",
    "mstl",
    "group_seasonal_ets",
    "top_down_share",
    "lightgbm",
)
CLASS_CANDIDATES: dict[str, tuple[str, ...]] = {
    "smooth": CONTINUOUS_CANDIDATES,
    "erratic": CONTINUOUS_CANDIDATES,
    "intermittent": ("croston_optimized", "adida", "imapa", "tsb", "lightgbm"),
    "lumpy": ("croston_optimized", "adida", "imapa", "tsb", "lightgbm"),
}
OPT_IN_MODELS = frozenset({"auto_arima"})
# Global models: learn from all series of a group at once (forecasting.global_model,
# forecasting.group_seasonal, forecasting.top_down); conformal intervals only.
GLOBAL_MODELS = frozenset({"lightgbm", "group_seasonal_ets", "top_down_share"})
# Models that cannot give their own intervals (need conformal intervals).
NO_NATIVE_INTERVALS = frozenset(
    {"croston_optimized", "adida", "imapa", "tsb", "seasonal_naive_level"}
)
# Models that learn from the other series of a group (e.g. the SKU's locations): weekly and
# monthly data only (forecasting.group_seasonal, forecasting.top_down).
GROUP_MODELS = frozenset({"group_seasonal_ets", "top_down_share"})
# Models without statsforecast's `forward` (apply fitted parameters to a longer series):
# their backtests refit in every window.
NO_FORWARD = frozenset({"croston_optimized", "adida", "imapa", "tsb"})
# statsforecast's AutoETS models no season longer than this (periods); AutoARIMA is kept to
# the same limit (a 52-lag seasonal ARIMA costs ~0.6 s a series).
MAX_ETS_SEASON = 24
# statsforecast models: every known model except the global ones.
STATS_MODELS = frozenset(MODEL_NAMES) - GLOBAL_MODELS


def candidates_for(
    demand_class: str,
    allowed: tuple[str, ...] | None,
    *,
    freq: str,
    n_obs: int,
    season_length: int = 1,
    with_global: bool = True,
) -> tuple[str, ...]:
    """Model names to try for one demand class.

    `allowed` restricts the set (falls back to all of `allowed` when none fits the class);
    MSTL is only tried on daily data with at least two years of history (weekly and yearly
    seasonality need two full cycles); seasonal_naive_level only where the season is longer than
    AutoETS models (`season_length` > MAX_ETS_SEASON periods, i.e. weekly data with a yearly
    season) and the series has at least MIN_CHANGES periods past its first season;
    group_seasonal_ets only on weekly and monthly data; the global models only when
    `with_global`.
    """
    names = CLASS_CANDIDATES[demand_class]
    if allowed is not None:
        fitting = tuple(n for n in names if n in allowed)
        names = fitting or tuple(allowed)
    else:
        names = tuple(n for n in names if n not in OPT_IN_MODELS)
    if freq != "D" or n_obs < 2 * 365 + 1:
        names = tuple(n for n in names if n != "mstl") or ("seasonal_naive",)
    if freq == "D":
        names = tuple(n for n in names if n not in GROUP_MODELS) or ("seasonal_naive",)
    if season_length <= MAX_ETS_SEASON or n_obs < season_length + MIN_CHANGES:
        names = tuple(n for n in names if n != "seasonal_naive_level") or ("seasonal_naive",)
    usable = STATS_MODELS | GLOBAL_MODELS if with_global else STATS_MODELS
    return tuple(n for n in names if n in usable) or ("seasonal_naive",)


def build_model(
    name: str,
    season_length: int,
    *,
    freq: str,
    prediction_intervals: Any = None,
    plain: bool = False,
) -> Any:
    """A statsforecast model object named `name` (alias = name).

    The intermittent family is fitted from each series' first sale
    (`forecasting.intermittent`); `plain=True` gives statsforecast's own versions instead
    (the backtest's reference models: a yardstick is the library's model as it comes).

    ETS is limited to season lengths <= 24 by statsforecast (longer seasons fit without
    seasonality). AutoARIMA uses the exogenous features passed to statsforecast; MSTL
    decomposes weekly (7) and yearly (365) seasonality on daily data and forecasts the trend
    with a non-seasonal AutoARIMA that also uses the features.
    """
    kwargs: dict[str, Any] = {"alias": name}
    if prediction_intervals is not None:
        kwargs["prediction_intervals"] = prediction_intervals
    if name == "seasonal_naive":
        return SeasonalNaive(season_length=season_length, **kwargs)
    if name == "seasonal_naive_level":
        return LevelAdjustedSeasonalNaive(season_length=season_length, **kwargs)
    ets_season = season_length if season_length <= MAX_ETS_SEASON else 1
    if name == "auto_ets":
        return AutoETS(season_length=ets_season, **kwargs)
    if name == "auto_arima":
        return AutoARIMA(season_length=ets_season, **kwargs)
    if name == "mstl":
        seasons = [7, 365] if freq == "D" else [season_length]
        return MSTL(season_length=seasons, trend_forecaster=AutoARIMA(season_length=1), **kwargs)
    if name == "croston_optimized":
        return CrostonOptimized(**kwargs) if plain else CrostonFromFirstSale(**kwargs)
    if name == "adida":
        return ADIDA(**kwargs) if plain else ADIDAFromFirstSale(**kwargs)
    if name == "imapa":
        return IMAPA(**kwargs) if plain else IMAPAFromFirstSale(**kwargs)
    if name == "tsb":
        tsb = TSB if plain else TSBFromFirstSale
        return tsb(alpha_d=0.2, alpha_p=0.2, **kwargs)
    raise ValueError(f"unknown model {name!r}")


def conformal_intervals_for(name: str, horizon: int, n_windows: int) -> ConformalIntervals | None:
    """statsforecast's ConformalIntervals (`horizon` periods, at least 2 windows) for a model
    without intervals of its own (NO_NATIVE_INTERVALS), None for the others. Without them such
    a model fails when asked for a level and the runner's fallback answers in its place."""
    if name not in NO_NATIVE_INTERVALS:
        return None
    return ConformalIntervals(h=horizon, n_windows=max(2, n_windows))
