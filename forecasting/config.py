"""Forecast settings as one frozen dataclass, and the frequency conventions."""

from __future__ import annotations

from dataclasses import dataclass

MODEL_NAMES = (
    "seasonal_naive",
    "seasonal_naive_level",
    "auto_ets",
    "auto_arima",
    "mstl",
    "croston_optimized",
    "adida",
    "imapa",
    "tsb",
    "lightgbm",
    "group_seasonal_ets",
    "top_down_share",
)
INTERVAL_METHODS = ("conformal", "model")
SEASONAL_CALIBRATION = ("off", "add", "replace")

# Frequency code -> (season length, default minimum history in periods for a model fit).
FREQUENCIES: dict[str, tuple[int, int]] = {"D": (7, 14), "W": (52, 8), "M": (12, 6)}
# Frequency code -> default `ForecastConfig.calibration_periods` (0 = no extra windows).
CALIBRATION_PERIODS: dict[str, int] = {"D": 91, "W": 0, "M": 0}


@dataclass(frozen=True)
class ForecastConfig:
    """How `forecasting.forecast` chooses and fits models.

    - `models`: restrict the candidate set (names from `MODEL_NAMES`). None = the default
      candidates of each demand class (see `forecasting.candidates`). Each class tries the
      given models that fit it; when none fits, it tries all given models.
    - `n_windows`: rolling-origin backtest windows (each `horizon` periods long, step =
      horizon) used to pick the model per series; a series whose history holds fewer
      after the training a first fit needs (a season + 1, or `min_history`) is backtested
      over as many as it holds. 0 = no selection (nor for a series with room for no
      window): group_seasonal_ets where it is a candidate (weekly and monthly data,
      conformal intervals), else the first candidate of the class that is not
      SeasonalNaive.
    - `season_length`: periods per season; None = 7 daily, 52 weekly, 12 monthly.
    - `min_history`: periods from the first sale below which a series is a cold start;
      None = 14 daily, 8 weekly, 6 monthly.
    - `holiday_country`: ISO country code for the public-holiday feature (`holidays`
      package), None = no holiday feature.
    - `interval_method`: "conformal" = quantiles from the backtest errors of the chosen model
      (scaled by the series' seasonal-naive scale, pooled per demand class); "model" = the
      model's own intervals (statsforecast ConformalIntervals for models that have none).
    - `ensemble_top`: also score the means of each series' 2..k best backtested models and
      use the one that backtests best where it beats the best single model (1 = no
      ensembles; conformal intervals only). Default 3: the accuracy benchmark's setting
      (docs/forecasting.md), and on the bike sharing series with daily review the 4-day
      total error of the chosen forecast has a 10-19% lower sd than with single models
      (benchmarks/selection_replay.py).
    - `n_jobs`: processes for statsforecast (local engine).
    - `refit_windows`: refit models in every backtest window (True) or fit once and roll
      forward (False, faster; only for models with `forward`).
    - `seasonal_calibration`: conformal intervals only. "replace" (default) / "add" =
      instead of / as well as the selection backtest windows (the most recent), use the chosen
      model's errors in backtest windows one season back from the forecast origin (the
      same periods of the season as the horizon and its neighbours,
      `forecasting.intervals.seasonal_windows`), for series long enough. The selection and
      point forecasts are unchanged; costs one more backtest of the chosen models. "off" =
      the recent selection windows only.
    - `calibration_periods`: conformal intervals only. When the selection windows cover
      fewer periods than this (`n_windows * horizon < calibration_periods`: short horizons),
      the chosen models are also backtested over extra windows of `horizon` periods just
      before the selection windows, as many as it takes to cover `calibration_periods`
      periods in all (`forecasting.intervals.calibration_windows`: side by side, or one
      origin per period for horizons shorter than 7 periods), and their errors are
      pooled with the selection windows' for the per-step and cumulative bands (a pool of
      few series x few short windows gives noisy tail quantiles). Each model is fitted once
      at the first extra window and rolled forward (refitted per window only when it has no
      `forward`: Croston, TSB, ADIDA, IMAPA). Every candidate is backtested there, and a
      series long enough for all the extra windows is chosen again on all its windows
      (selection and extra: more evidence than a few short selection windows give). When
      the extra windows are used, the seasonal calibration windows are not (they would
      overlap).
      None = the frequency's default `CALIBRATION_PERIODS` (91 daily, 0 weekly and
      monthly); 0 = off.
    - `selection_shrinkage`: 0 = each series chooses its model or combination on its own
      backtest; in (0, 1] = on a score pooled with the other series of its demand class
      chosen in the same run (`forecasting.selection.shrunk_combinations`; 1 = one choice
      for all of them). Default 0.5: measured in docs/forecasting.md ("Selection
      shrinkage") and docs/replenishment.md.
    - `local_fit_budget`: estimated core-seconds (`forecasting.fit_budget`) that the
      per-series AutoETS / MSTL fits of the default candidates may cost, selection backtest
      and final fit included. Series are served in order of units sold (most first); the
      rest choose among the cheap candidates (SeasonalNaive, LightGBM; the intermittent
      family is always kept), with a warning. Only when `models` is None: named models are
      always tried. Default 150 (about 260 daily two-year series with 3 windows: 1.5-2
      minutes with 2 processes on the 2-core machines measured; 10,000 daily series with
      every default candidate took 181 s with 200 on one, 260-269 s on another, so 150
      keeps a margin under 5 minutes); None = no bound; 0 = no per-series AutoETS / MSTL
      by default.
    """

    models: tuple[str, ...] | None = None
    n_windows: int = 3
    season_length: int | None = None
    min_history: int | None = None
    holiday_country: str | None = "US"
    interval_method: str = "conformal"
    ensemble_top: int = 3
    n_jobs: int = 1
    refit_windows: bool = True
    seasonal_calibration: str = "replace"
    calibration_periods: int | None = None
    local_fit_budget: float | None = 150.0
    selection_shrinkage: float = 0.5

    def __post_init__(self) -> None:
        if self.models is not None:
            if not self.models:
                raise ValueError("models must name at least one model")
            unknown = [m for m in self.models if m not in MODEL_NAMES]
            if unknown:
                raise ValueError(f"unknown models {unknown}; choose from {list(MODEL_NAMES)}")
        if self.n_windows < 0:
            raise ValueError("n_windows must be >= 0")
        if self.season_length is not None and self.season_length < 1:
            raise ValueError("season_length must be >= 1")
        if self.min_history is not None and self.min_history < 1:
            raise ValueError("min_history must be >= 1")
        if self.interval_method not in INTERVAL_METHODS:
            raise ValueError(f"interval_method must be one of {INTERVAL_METHODS}")
        if self.seasonal_calibration not in SEASONAL_CALIBRATION:
            raise ValueError(f"seasonal_calibration must be one of {SEASONAL_CALIBRATION}")
        if self.calibration_periods is not None and self.calibration_periods < 0:
            raise ValueError("calibration_periods must be >= 0")
        if self.local_fit_budget is not None and not self.local_fit_budget >= 0:
            raise ValueError("local_fit_budget must be >= 0 core-seconds (None = no bound)")
        if not 0 <= self.selection_shrinkage <= 1:
            raise ValueError("selection_shrinkage must be within [0, 1]")
        if self.ensemble_top < 1:
            raise ValueError("ensemble_top must be >= 1")
        if self.n_jobs < 1:
            raise ValueError("n_jobs must be >= 1")

    @classmethod
    def fast(cls) -> ForecastConfig:
        """A cheap setting for daily plans and simulations: SeasonalNaive, AutoETS,
        LevelAdjustedSeasonalNaive (weekly data only), top_down_share (weekly and monthly
        data: one AutoETS fit per SKU total, not per series) and CrostonOptimized/TSB for
        sparse series, one backtest window, fitted once, no seasonal calibration windows
        (they cost one more backtest on weekly data). The
        default `calibration_periods` applies: daily horizons shorter than 91 periods
        (windows x horizon) get extra calibration windows, fitted once and rolled forward."""
        return cls(
            models=(
                "seasonal_naive",
                "seasonal_naive_level",
                "auto_ets",
                "top_down_share",
                "croston_optimized",
                "tsb",
            ),
            n_windows=1,
            seasonal_calibration="off",
        )


def normalize_freq(freq: str) -> str:
    """'D', 'W' or 'M' (accepts 'MS', 'ME', 'W-XXX' too); raises ValueError otherwise."""
    code = freq.strip().upper()
    if code.startswith("W"):
        return "W"
    if code in {"M", "MS", "ME"}:
        return "M"
    if code == "D":
        return "D"
    raise ValueError(f"freq {freq!r} must be D (daily), W (weekly) or M (monthly)")
