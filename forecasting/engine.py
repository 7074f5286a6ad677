"""`forecast`: classify, backtest-select, fit and quantify demand for every series."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecasting.candidates import (
    GLOBAL_MODELS,
    GROUP_MODELS,
    NO_FORWARD,
    build_model,
    candidates_for,
    conformal_intervals_for,
)
from forecasting.classify import classes_at_origins, classify_series
from forecasting.cold_start import (
    MAX_CALIBRATED_AGE,
    launch_ratio_quantiles,
    never_sold_quantiles,
    profile_forecasts,
    widen_to_sample_band,
)
from forecasting.config import CALIBRATION_PERIODS, FREQUENCIES, ForecastConfig
from forecasting.cumulative import (
    cumulative_column,
    cumulative_error_quantiles,
    monotone_cumulative,
    running_sums,
)
from forecasting.fit_budget import within_budget, without_budgeted
from forecasting.global_model import global_forecast
from forecasting.group_seasonal import MODEL_NAME as GROUP_MODEL
from forecasting.group_seasonal import IndexPool, group_seasonal_forecast
from forecasting.inputs import PreparedInputs, prepare_inputs, resolve_freq
from forecasting.intervals import (
    SHORT_HORIZON,
    apply_quantiles,
    calibration_windows,
    class_offset_table,
    interval_scales,
    scaled_error_quantiles,
    seasonal_windows,
    zero_inflated_floor,
)
from forecasting.level_shift import SHIFT_FACTOR, cut_at_restarts, restart_dates
from forecasting.metrics import seasonal_naive_scale, since_first_sale
from forecasting.quantiles import interval_levels, quantile_column, validate_quantiles
from forecasting.result import SELECTION_COLUMNS, ForecastResult
from forecasting.runner import Runner
from forecasting.selection import (
    Selection,
    choose_from_backtest,
    ensemble_members,
    global_model_cross_validation,
    leaving_a_candidate,
    residual_frame,
    select_models,
)
from forecasting.top_down import MODEL_NAME as TOP_DOWN_MODEL
from forecasting.top_down import top_down_forecast

COLD_START_MODEL = "cold_start_profile"


def forecast(
    history: pd.DataFrame,
    horizon: int,
    *,
    future: pd.DataFrame | None = None,
    freq: str | None = None,
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
    engine: str = "local",
    config: ForecastConfig | None = None,
    models: Sequence[str] | None = None,
    n_windows: int | None = None,
    items: pd.DataFrame | None = None,
    scheduler_address: str | None = None,
    strict_future: bool = False,
    cumulative_quantiles: bool = False,
) -> ForecastResult:
    """Probabilistic demand forecasts for every sku x location of `history`.

    - `history`: `sku, location, date, units` (+ numeric feature columns), units per period.
    - `horizon`: periods to forecast, starting the period after the last history date.
    - `future`: `sku, location, date` + the same features over the horizon; a feature with
      no complete future values is dropped with a warning (an error with `strict_future`).
      Pairs only in `future` get a cold-start forecast.
    - `freq`: "D", "W" or "M"; None = read from the dates (`inputs.resolve_freq`, named
      in a warning when not daily); `quantiles`: fractions, each a whole percent.
    - `engine`: "local" or "dask" (`scheduler_address` or a LocalCluster).
    - `config`: see `ForecastConfig`; `models` / `n_windows` override its fields (e.g.
      `models=("seasonal_naive", "auto_ets"), n_windows=1` for a fast run).
    - `items`: optional `sku, category` for cold-start profiles.
    - `cumulative_quantiles`: also return, per quantile, `cum_pNN` (after the `pNN`
      columns): on a series' k-th forecast row the quantile of its total demand over
      forecast periods 1..k (units). Conformal series: calibrated on cumulative backtest
      errors (`forecasting.cumulative`); others (cold starts, `interval_method="model"`):
      the running sum of the per-period quantiles. Non-decreasing in k, >= 0, never
      crossing; the per-period zero-sale floor is not applied to them.

    Raises `ForecastInputError` (a ValueError) naming columns/rows on bad input.
    """
    cfg = config or ForecastConfig()
    if models is not None:
        cfg = dataclasses.replace(cfg, models=tuple(models))
    if n_windows is not None:
        cfg = dataclasses.replace(cfg, n_windows=n_windows)
    freq_code, inferred = resolve_freq(freq, history)
    qs = validate_quantiles(quantiles)
    runner = Runner(engine=engine, n_jobs=cfg.n_jobs, scheduler_address=scheduler_address)

    with runner.session():
        result = _forecast(
            history,
            horizon,
            future,
            freq_code,
            qs,
            cfg,
            runner,
            items,
            strict_future,
            cumulative_quantiles,
        )
    if inferred is None:
        return result
    return dataclasses.replace(result, warnings=(inferred, *result.warnings))


# Series a warning names before it says "and N more".
MAX_NAMED = 10


def _forecast(
    history: pd.DataFrame,
    horizon: int,
    future: pd.DataFrame | None,
    freq_code: str,
    qs: tuple[float, ...],
    cfg: ForecastConfig,
    runner: Runner,
    items: pd.DataFrame | None,
    strict_future: bool,
    cumulative_quantiles: bool = False,
) -> ForecastResult:
    season = cfg.season_length or FREQUENCIES[freq_code][0]
    min_history = cfg.min_history or FREQUENCIES[freq_code][1]
    prep = prepare_inputs(
        history,
        horizon,
        freq=freq_code,
        future=future,
        holiday_country=cfg.holiday_country,
        strict_future=strict_future,
    )
    warnings = list(prep.warnings)
    # weekly and monthly data only: on daily data a jump of a few days is an event or a
    # promotion more often than a new level
    if freq_code != "D":
        prep, restart_warning = _restarted_at_level_shifts(prep, season)
        if restart_warning:
            warnings.append(restart_warning)
    # the span the conformal errors come from: the zero-sale floor's recent periods, and
    # the replay of never-sold series
    calibration_span = max(cfg.n_windows, 1) * horizon
    stats = _series_stats(prep.train, season, recent=calibration_span)
    cold_mask = (stats["history_periods"] < min_history) | (stats["nonzero"] == 0)
    warm_ids = stats.index[~cold_mask]

    selection_parts: list[pd.DataFrame] = []
    residual_parts: list[pd.DataFrame] = []
    # the training a selection backtest's first window needs; a series with less history
    # than n_windows windows after it is backtested over as many as it has (at least one)
    min_train = max(season + 1, min_history)
    candidates = {
        int(uid): candidates_for(
            stats.at[uid, "demand_class"],
            cfg.models,
            freq=freq_code,
            n_obs=int(stats.at[uid, "length"]),
            season_length=season,
            with_global=cfg.interval_method == "conformal",
        )
        for uid in warm_ids
    }
    if cfg.models is None and cfg.local_fit_budget is not None:
        candidates = _within_fit_budget(
            candidates, stats, cfg.local_fit_budget, cfg.n_windows + 1, season, warnings
        )
    groups: dict[tuple[tuple[str, ...], int], list[int]] = {}
    for uid in warm_ids:
        names = candidates[int(uid)]
        # backtest to choose between candidates, or for the errors of conformal intervals
        windows = min(cfg.n_windows, max(int(stats.at[uid, "length"]) - min_train, 0) // horizon)
        if len(names) == 1 and cfg.interval_method != "conformal":
            windows = 0
        groups.setdefault((names, windows), []).append(int(uid))

    # group_seasonal_ets shares seasonal indices between the locations of one SKU, and
    # top_down_share the SKU's total, over every warm series (whichever candidate group a
    # series is in); built only where one is a candidate (never on daily data, whose
    # training frame is the largest)
    pool = (
        IndexPool(
            prep.train.loc[prep.train["unique_id"].isin(warm_ids), ["unique_id", "ds", "y"]],
            prep.ids.set_index("unique_id")["sku"],
        )
        if any(GROUP_MODELS & set(names) for names in candidates.values())
        else None
    )
    # a warm series alone in its group (the only location of its SKU): its top-down
    # forecast is its own total's model (AutoETS, or seasonal_naive_level on weekly data),
    # the same candidate twice
    sku_of = prep.ids.set_index("unique_id")["sku"].reindex(warm_ids)
    alone = sku_of.index[sku_of.map(sku_of.value_counts()).to_numpy() == 1]
    for (names, windows), uids in groups.items():
        train = prep.train[prep.train["unique_id"].isin(uids)]
        if windows > 0:
            group_cfg = (
                cfg if windows == cfg.n_windows else dataclasses.replace(cfg, n_windows=windows)
            )
            excluded = {
                # sold for less than one season: a seasonal-naive forecast would copy the
                # periods before the first sale (or the launch itself)
                "seasonal_naive": stats.index[stats["history_periods"] < season],
                TOP_DOWN_MODEL: alone,
            }
            excluded = leaving_a_candidate(excluded, names)
            chosen = select_models(
                train,
                names,
                horizon,
                windows,
                runner=runner,
                sf_freq=prep.sf_freq,
                freq=freq_code,
                season_length=season,
                scales=stats["scale"],
                refit=cfg.refit_windows,
                ensemble_top=cfg.ensemble_top if cfg.interval_method == "conformal" else 1,
                excluded=excluded,
                shrinkage=cfg.selection_shrinkage,
                pool=pool,
            )
            choice_part, residual_part = _with_calibration_residuals(
                chosen,
                train,
                names,
                _ChosenBacktest(
                    group_cfg, runner, prep.sf_freq, freq_code, horizon, season, min_history, pool
                ),
                scales=stats["scale"],
                excluded=excluded,
            )
            selection_parts.append(choice_part)
            residual_parts.append(residual_part)
        else:
            # no backtest to choose by (too short, or no windows): on weekly and monthly data
            # the series' SKU season from the pool (a new location: Stallion series cut to
            # 12-24 months, mean MASE 5-8% below AutoETS's, docs/forecasting.md), else the
            # first candidate that is not SeasonalNaive
            default = (
                GROUP_MODEL
                if GROUP_MODEL in names
                else next((n for n in names if n != "seasonal_naive"), names[0])
            )
            selection_parts.append(
                pd.DataFrame({"unique_id": uids, "model": default, "mase": np.nan, "scores": ""})
            )
    choice = (
        pd.concat(selection_parts, ignore_index=True)
        if selection_parts
        else pd.DataFrame(columns=["unique_id", "model", "mase", "scores"])
    )
    residuals = pd.concat(residual_parts, ignore_index=True) if residual_parts else pd.DataFrame()
    if "cutoff" in residuals.columns:
        residuals = _with_origin_classes(residuals, prep.train)

    method = cfg.interval_method
    if method == "conformal" and residuals.empty:
        method = "model"
    value_columns = ["mean", *[quantile_column(q) for q in qs]]
    cum_columns = [cumulative_column(q) for q in qs] if cumulative_quantiles else []
    warm_frames = (
        [
            _fit_chosen(
                prep, choice, runner, horizon, freq_code, season, qs, method, cfg.n_windows, pool
            )
        ]
        if len(choice)
        else []
    )
    warm_fc = (
        pd.concat(warm_frames, ignore_index=True)
        if warm_frames
        # no warm series (all too short or never sold): no rows, but every value column,
        # so the cold-start profile below sees the columns it copies
        else pd.DataFrame(columns=["unique_id", "ds", "model", *value_columns])
    )
    # every row of a series with a period the model left NaN (e.g. SeasonalNaive on a
    # series shorter than one season): the series' recent level, so its rows do not mix
    # copied periods (with the model's zero-width intervals) and the fallback
    missing = warm_fc["unique_id"].isin(warm_fc.loc[warm_fc["mean"].isna(), "unique_id"])
    missing = missing.to_numpy()
    if missing.any():
        warm_fc = _recent_level_fallback(warm_fc, missing, prep.train, season, value_columns)
        n_series = warm_fc.loc[missing, "unique_id"].nunique()
        warnings.append(
            f"{n_series} series without a model forecast (history shorter than a season)"
            " use their recent mean"
        )
    if method == "conformal" and len(warm_fc):
        band_scale = interval_scales(
            stats["scale"], residuals, repeating=stats.index[stats["repeats"].to_numpy(bool)]
        )
        offsets = scaled_error_quantiles(residuals, band_scale, stats["demand_class"], qs, horizon)
        classes = stats["demand_class"].reindex(warm_fc["unique_id"]).to_numpy()
        # horizon step 1..h of each forecast row (its date's rank within the series)
        steps = warm_fc.groupby("unique_id")["ds"].rank(method="dense").to_numpy(dtype=int)
        steps = np.clip(steps, 1, horizon)
        table = class_offset_table(offsets, classes, steps)
        scale = band_scale.reindex(warm_fc["unique_id"]).to_numpy()
        point = warm_fc["mean"].to_numpy()
        # periods without a sale since the first sale (the zero mass of demand)
        at = stats.reindex(warm_fc["unique_id"])
        periods = at["history_periods"].to_numpy()
        recent = at["recent_periods"].to_numpy()
        warm_fc[value_columns[1:]] = zero_inflated_floor(
            apply_quantiles(point, scale, table),
            qs,
            periods - at["nonzero"].to_numpy(),
            periods,
            recent_zero_periods=recent - at["recent_nonzero"].to_numpy(),
            recent_periods=recent,
        )
        if cum_columns:
            warm_fc[cum_columns] = _conformal_cumulative(
                warm_fc, residuals, band_scale, stats, qs, horizon, classes, steps, point
            )
    warm_fc["mean"] = warm_fc["mean"].clip(lower=0.0)

    ids = prep.ids.set_index("unique_id")
    warm_fc = warm_fc.join(ids, on="unique_id").rename(columns={"ds": "date"})
    cold_ids = [int(u) for u in stats.index[cold_mask]] + list(prep.new_ids)
    cold_fc = pd.DataFrame()
    if cold_ids:
        cold_pairs = ids.loc[cold_ids].reset_index()
        own = _sales_since_first_sale(prep.train, cold_pairs)
        # quantiles of just-launched cold series, calibrated on the history's launches
        # (replay); computed only when such series exist
        launch_ratios = (
            launch_ratio_quantiles(prep.train, warm_ids, min_history, horizon, qs)
            if (own["n"] <= MAX_CALIBRATED_AGE).any()
            else None
        )
        cold_fc = profile_forecasts(
            cold_pairs,
            warm_fc[["sku", "location", "date", *value_columns]],
            value_columns,
            prep.horizon_dates,
            items=items,
            own_means=own["mean"],
            own_spread=own[["n", "sd"]],
            launch_ratios=launch_ratios,
            quantiles=qs,
        )
        # observed for min_history periods or more without a single sale: not selling, 0,
        # unless the history's own never-sold series launched often enough (replay over
        # the selection backtest's span)
        dormant = stats.index[(stats["nonzero"] == 0) & (stats["length"] >= min_history)]
        if len(dormant):
            pairs = ids.loc[[int(u) for u in dormant], ["sku", "location"]]
            keys = pd.MultiIndex.from_frame(cold_fc[["sku", "location"]])
            is_dormant = keys.isin(pd.MultiIndex.from_frame(pairs))
            table = never_sold_quantiles(prep.train, min_history, horizon, calibration_span, qs)
            steps = prep.horizon_dates.get_indexer(cold_fc.loc[is_dormant, "date"])
            cold_fc.loc[is_dormant, value_columns] = table[steps]
        cold_fc["model"] = COLD_START_MODEL
        warnings.append(
            f"{len(cold_ids)} series with little or no history forecast"
            " from a category/location profile"
        )

    warm_columns = [*value_columns, *[c for c in cum_columns if c in warm_fc.columns]]
    parts = [
        warm_fc[["sku", "location", "date", *warm_columns, "model"]],
        cold_fc.drop(columns=["profile"], errors="ignore"),
    ]
    # an empty part (no warm or no cold series) would only add all-NA columns
    forecasts = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    forecasts = forecasts.sort_values(["sku", "location", "date"]).reset_index(drop=True)
    forecasts["date"] = pd.to_datetime(forecasts["date"])
    for column in value_columns:
        forecasts[column] = forecasts[column].astype(float)
    if cum_columns:
        forecasts = _with_cumulative_columns(forecasts, value_columns[1:], cum_columns)

    selection = _selection_frame(prep, stats, choice, cold_ids)
    return ForecastResult(forecasts=forecasts, selection=selection, warnings=tuple(warnings))


@dataclasses.dataclass(frozen=True)
class _ChosenBacktest:
    """What a backtest of the chosen models needs besides the data: the settings, the
    runner, the statsforecast frequency alias (`sf_freq`), the frequency code (D/W/M),
    the horizon and season (periods), the cold-start threshold (`min_history`) and the
    series that share seasonal indices (`pool`, for group_seasonal_ets)."""

    cfg: ForecastConfig
    runner: Runner
    sf_freq: str
    freq: str
    horizon: int
    season: int
    min_history: int
    pool: IndexPool | None = None


def _with_origin_classes(residuals: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """`residuals` (unique_id, cutoff, ...) with `demand_class`: the class each series had
    at each backtest window's origin (`classify.classes_at_origins`), which pools its
    errors for the conformal bands.

    Not the class at the forecast origin: that one is measured on a history that includes
    the backtest windows' own demand, so a spike in a window both makes that window's error
    large and moves the series into the erratic class. Pooled by it, the erratic class
    collected the past windows' spikes and its bands were too wide for the next window
    (Stallion, 3 windows: the 80% band covered 0.848 of the erratic class; pooled by the
    class at each origin 0.806). Pooled by the class at the origin, each error is of the
    same kind as the one being forecast: made after the series was seen in that class.
    """
    origins = residuals[["unique_id", "cutoff"]].drop_duplicates(ignore_index=True)
    origins["demand_class"] = classes_at_origins(train, origins)
    return residuals.drop(columns="demand_class", errors="ignore").merge(
        origins, on=["unique_id", "cutoff"], how="left"
    )


def _with_calibration_residuals(
    selection: Selection,
    train: pd.DataFrame,
    candidates: tuple[str, ...],
    setup: _ChosenBacktest,
    *,
    scales: pd.Series,
    excluded: dict[str, pd.Index],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The choice and residuals of the selection backtest `selection`, with the extra
    calibration windows (`cfg.calibration_periods`, placed by `calibration_windows` just
    before the selection windows) for the series long enough for all of them: every
    candidate is backtested over them too, each such series is chosen again from all its
    windows (`choose_from_backtest`: the lowest MAE, leave-one-window-out residuals), and
    the chosen model's errors in all windows are its residuals. A few short selection
    windows choose on little evidence (3 windows of 4 days: 12 errors per series; on bike
    with the weather known the 4-day forecast error sd was 0.92 of the 28-day moving
    average's with that choice and 0.67 with LightGBM throughout); ~90 origins choose on
    more. When there are no extra windows (the selection windows cover enough periods, or
    calibration_periods is 0), and with seasonal calibration on for horizons of
    SHORT_HORIZON periods or more (their windows one season back see the season's
    volatility, the extra recent ones do not: bike, h = 28, 80% coverage 0.821 with the
    seasonal windows, 0.750 with one extra window): the selection's choice and
    `_with_seasonal_residuals`. Conformal intervals only (otherwise unchanged)."""
    cfg = setup.cfg
    choice, residuals = selection.choice, selection.residuals
    if cfg.interval_method != "conformal":
        return choice, residuals
    periods = (
        cfg.calibration_periods
        if cfg.calibration_periods is not None
        else CALIBRATION_PERIODS[setup.freq]
    )
    drop, count, step = calibration_windows(periods, setup.horizon, cfg.n_windows)
    if count == 0 or (cfg.seasonal_calibration != "off" and setup.horizon >= SHORT_HORIZON):
        return choice, _with_seasonal_residuals(residuals, train, choice, setup)
    every = pd.Series([list(candidates)] * len(choice), index=choice["unique_id"].to_numpy())
    extra = _backtest_predictions(train, every, drop, count, setup, forward=True, step=step)
    if extra is None:
        return choice, residuals
    ids = pd.Index(extra["unique_id"].unique())
    predictions = selection.predictions
    again = choose_from_backtest(
        pd.concat([predictions[predictions["unique_id"].isin(ids)], extra], ignore_index=True),
        candidates,
        scales,
        ensemble_top=cfg.ensemble_top,
        excluded=excluded,
        shrinkage=cfg.selection_shrinkage,
    )
    return (
        pd.concat([choice[~choice["unique_id"].isin(ids)], again.choice], ignore_index=True),
        pd.concat(
            [residuals[~residuals["unique_id"].isin(ids)], again.residuals], ignore_index=True
        ),
    )


def _with_seasonal_residuals(
    residuals: pd.DataFrame,
    train: pd.DataFrame,
    choice: pd.DataFrame,
    setup: _ChosenBacktest,
) -> pd.DataFrame:
    """The selection backtest `residuals`, with `cfg.seasonal_calibration` "add": plus the
    chosen models' errors in the seasonal calibration windows (`seasonal_windows`: one
    season back from the origin); "replace": those instead of the recent windows' errors,
    for the series that have them. Only series whose truncated history is long enough for
    those windows (the selection backtest's own minimum) get them. The seasonal windows
    are not used for the selection, so the chosen model's errors there are out of
    selection, as the leave-one-window-out errors of the recent windows are."""
    cfg = setup.cfg
    if cfg.seasonal_calibration == "off" or cfg.interval_method != "conformal":
        return residuals
    drop, count = seasonal_windows(setup.season, setup.horizon, cfg.n_windows)
    seasonal = _chosen_model_errors(train, choice, drop, count, setup)
    if seasonal.empty:
        return residuals
    if cfg.seasonal_calibration == "replace":
        residuals = residuals[~residuals["unique_id"].isin(seasonal["unique_id"])]
    return pd.concat([residuals, seasonal], ignore_index=True)


def _backtest_predictions(
    train: pd.DataFrame,
    members: pd.Series,
    drop: int,
    count: int,
    setup: _ChosenBacktest,
    *,
    forward: bool = False,
    step: int | None = None,
) -> pd.DataFrame | None:
    """Backtest predictions of the models `members` names per series (unique_id -> list of
    model names) on `train` without its last `drop` periods, over its last `count` windows
    of `horizon` periods with origins `step` periods apart (default `horizon`: side by
    side): unique_id, ds, cutoff, y and one column per model (NaN on series that do not name
    it). Only series whose truncated history has at least the windows' span (horizon +
    (count - 1) * step) + max(season + 1, min_history) periods (the selection backtest's
    own minimum); None when none has. Models refit per window as `cfg.refit_windows` says;
    with `forward`, models are fitted once at the first window and rolled forward
    (statsforecast's `forward`; the global model keeps its trees and recomputes its lag
    features from the history up to each origin), except those in NO_FORWARD, which
    refit."""
    cfg, runner, sf_freq, freq = setup.cfg, setup.runner, setup.sf_freq, setup.freq
    horizon, season, min_history = setup.horizon, setup.season, setup.min_history
    dates = np.sort(train["ds"].unique())
    if count == 0 or drop >= len(dates):
        return None
    past = train[train["ds"] <= dates[-drop - 1]] if drop else train
    lengths = past.groupby("unique_id").size()
    step = step or horizon
    span = horizon + (count - 1) * step
    eligible = lengths.index[lengths >= span + max(season + 1, min_history)]
    members = members.reindex(eligible).dropna()
    if members.empty:
        return None
    keys = ["unique_id", "ds", "cutoff"]
    cv = None
    for name in sorted({m for names in members for m in names}):
        uids = [u for u, names in members.items() if name in names]  # only where it is used
        if name in GLOBAL_MODELS:  # learnt from the whole group or pool, as in the selection
            part = global_model_cross_validation(
                name,
                past,
                horizon,
                count,
                runner=runner,
                sf_freq=sf_freq,
                freq=freq,
                season_length=season,
                pool=setup.pool,
                step_size=step,
                refit=not forward,
                predict_ids=uids,
            )
        else:
            part = runner.cross_validation(
                [build_model(name, season, freq=freq)],
                past[past["unique_id"].isin(uids)],
                horizon,
                count,
                freq=sf_freq,
                season_length=season,
                refit=name in NO_FORWARD if forward else cfg.refit_windows,
                step_size=step,
            )
        part = part[[*keys, "y", name]]
        if cv is None:
            cv = part
        else:
            cv = cv.merge(part, on=keys, how="outer", suffixes=("", "_other"))
            cv["y"] = cv["y"].fillna(cv.pop("y_other"))
    assert cv is not None
    return cv.sort_values(["unique_id", "cutoff", "ds"]).reset_index(drop=True)


def _chosen_model_errors(
    train: pd.DataFrame,
    choice: pd.DataFrame,
    drop: int,
    count: int,
    setup: _ChosenBacktest,
    *,
    forward: bool = False,
    step: int | None = None,
) -> pd.DataFrame:
    """Backtest errors of each series' chosen model (`choice`: unique_id, model; an
    ensemble's prediction is the mean of its members') over the windows of
    `_backtest_predictions` (same arguments): unique_id, ds, cutoff, step, y, yhat; empty
    when no series is long enough."""
    columns = ["unique_id", "ds", "cutoff", "step", "y", "yhat"]
    models = choice.set_index("unique_id")["model"]
    cv = _backtest_predictions(
        train,
        models.map(lambda m: ensemble_members(str(m))),
        drop,
        count,
        setup,
        forward=forward,
        step=step,
    )
    if cv is None:
        return pd.DataFrame(columns=columns)
    # each row's prediction: its series' chosen model (the mean of an ensemble's members)
    yhat = np.full(len(cv), np.nan)
    chosen_of_row = models.reindex(cv["unique_id"]).to_numpy()
    for model in pd.unique(chosen_of_row):
        rows = chosen_of_row == model
        # NaN when a member has no prediction for the row (the row is then left out)
        members_of = ensemble_members(str(model))
        yhat[rows] = cv.loc[rows, members_of].mean(axis=1, skipna=False).to_numpy()
    errors = residual_frame(cv, yhat)
    return errors[np.isfinite(errors["yhat"])].reset_index(drop=True)


def _conformal_cumulative(
    warm_fc: pd.DataFrame,
    residuals: pd.DataFrame,
    band_scale: pd.Series,
    stats: pd.DataFrame,
    qs: tuple[float, ...],
    horizon: int,
    classes: np.ndarray,
    steps: np.ndarray,
    point: np.ndarray,
) -> np.ndarray:
    """Cumulative quantiles (rows of `warm_fc` x quantiles, units, not yet made monotone):
    the sum of the row's series' point forecasts `point` over steps 1..k (k = `steps`, the
    row's horizon step) + its series' `band_scale` (per unique_id, as for the per-step
    bands: `interval_scales`) * the cumulative conformal offset of its demand class
    (`classes`, per row).
    All NaN (the running-sum fallback) when no cumulative offsets can be formed."""
    offsets = cumulative_error_quantiles(residuals, band_scale, stats["demand_class"], qs, horizon)
    if not offsets:
        return np.full((len(warm_fc), len(qs)), np.nan)
    order = np.lexsort((warm_fc["ds"].to_numpy(), warm_fc["unique_id"].to_numpy()))
    total = np.empty(len(warm_fc))
    total[order] = running_sums(point[order, None], warm_fc["unique_id"].to_numpy()[order])[:, 0]
    scale = band_scale.reindex(warm_fc["unique_id"]).to_numpy()
    return total[:, None] + scale[:, None] * class_offset_table(offsets, classes, steps)


def _with_cumulative_columns(
    forecasts: pd.DataFrame, quantile_columns: list[str], cum_columns: list[str]
) -> pd.DataFrame:
    """`forecasts` (sorted by sku, location, date) with `cum_columns` placed after the
    quantile columns: the conformal values already there, else (missing column, NaN rows:
    cold starts, model intervals) the running sum of the row's series' per-period
    quantiles; then clipped at 0, sorted across levels and non-decreasing in the step. The
    first step's cumulative quantiles are its per-period quantiles (one period's total is
    that period's demand; the cumulative pool, normalised over all steps, and the zero-sale
    floor of the per-period quantiles would otherwise make cum_p50 differ from p50 there)."""
    series = pd.factorize(pd.MultiIndex.from_frame(forecasts[["sku", "location"]]))[0]
    comonotone = running_sums(forecasts[quantile_columns].to_numpy(dtype=float), series)
    if all(c in forecasts.columns for c in cum_columns):
        conformal = forecasts[cum_columns].to_numpy(dtype=float)
        values = np.where(np.isnan(conformal), comonotone, conformal)
        first_step = np.r_[True, series[1:] != series[:-1]]
        values[first_step] = comonotone[first_step]
    else:
        values = comonotone
    values = monotone_cumulative(values, series)
    out = forecasts.drop(columns=cum_columns, errors="ignore")
    position = out.columns.get_loc(quantile_columns[-1]) + 1
    for j, column in enumerate(cum_columns):
        out.insert(position + j, column, values[:, j])
    return out


def _recent_level_fallback(
    warm_fc: pd.DataFrame,
    missing: np.ndarray,
    train: pd.DataFrame,
    season: int,
    value_columns: list[str],
) -> pd.DataFrame:
    """`warm_fc` with its `missing` rows (all rows of the series the model left without a
    forecast for some period, e.g. SeasonalNaive on a series shorter than one season) set
    to their series' recent level: `mean` = the mean of its last `season` periods of
    `train` (units per period; all of them when fewer), and every quantile column of
    `value_columns` (created when absent) = that mean widened to the Student-t band of
    those n values (`cold_start.widen_to_sample_band`: mean +/-
    t_{n-1}(q) * sd * sqrt(1 + 1/n), lower quantiles clipped at 0; no spread when n < 2 or
    sd = 0). E.g. last values 3, 5, 4, 6, 2 (season 7): mean 4, sd 1.581, p90 = 4 + 1.533 *
    1.581 * sqrt(1.2) = 6.656. Conformal offsets, applied afterwards, replace these bands."""
    out = warm_fc.copy()
    quantile_cols = value_columns[1:]
    for column in quantile_cols:
        if column not in out.columns:
            out[column] = np.nan
    rows = np.flatnonzero(missing)
    uids = out["unique_id"].to_numpy()[rows]
    own = train[train["unique_id"].isin(uids)]
    recent = {uid: y.to_numpy(dtype=float)[-season:] for uid, y in own.groupby("unique_id")["y"]}
    positions = [out.columns.get_loc(c) for c in ("mean", *quantile_cols)]
    for uid in pd.unique(uids):
        values = recent.get(uid, np.zeros(0))
        level = float(values.mean()) if values.size else 0.0
        sd = float(values.std(ddof=1)) if values.size >= 2 else float("nan")
        series_rows = rows[uids == uid]
        frame = pd.DataFrame(level, index=range(len(series_rows)), columns=value_columns)
        band = widen_to_sample_band(frame, values.size, sd)[quantile_cols].to_numpy()
        out.iloc[series_rows, positions[0]] = level
        out.iloc[series_rows, positions[1:]] = band
    return out


def _restarted_at_level_shifts(
    prep: PreparedInputs, season: int
) -> tuple[PreparedInputs, str | None]:
    """`prep` with each series that shifted level at its end (`level_shift.restart_dates`)
    cut at its shift, and the warning naming them (the first MAX_NAMED, with the date of
    the shift); None when no series shifted."""
    restarts = restart_dates(prep.train, season)
    if restarts.empty:
        return prep, None
    shifted = prep.ids.set_index("unique_id").loc[restarts.index[:MAX_NAMED]]
    listed = ", ".join(
        f"{sku}/{location} from {date:%Y-%m-%d}"
        for (sku, location), date in zip(
            shifted[["sku", "location"]].itertuples(index=False),
            restarts.iloc[:MAX_NAMED],
            strict=True,
        )
    )
    if len(restarts) > MAX_NAMED:
        listed += f" and {len(restarts) - MAX_NAMED} more"
    warning = (
        f"{len(restarts)} series whose last periods sell over {SHIFT_FACTOR:g}x what they"
        " sold before restart from that level shift (the history before it ignored for two"
        f" seasons; a cold start until min_history periods at the new level): {listed}"
    )
    return dataclasses.replace(prep, train=cut_at_restarts(prep.train, restarts)), warning


def _sales_since_first_sale(train: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """`n` (periods since the first sale), `mean` (units per period over them) and `sd`
    (their sample standard deviation, NaN below 2 periods) for the `pairs` (unique_id, sku,
    location) that sold, indexed by (sku, location); series that never sold are absent."""
    rows = []
    history = train[train["unique_id"].isin(pairs["unique_id"])]
    keys = pairs.set_index("unique_id")[["sku", "location"]]
    for uid, y in history.groupby("unique_id")["y"]:
        active = since_first_sale(y.to_numpy())
        if active.size:
            sd = float(active.std(ddof=1)) if active.size >= 2 else float("nan")
            rows.append((*keys.loc[uid], active.size, float(active.mean()), sd))
    frame = pd.DataFrame(rows, columns=["sku", "location", "n", "mean", "sd"])
    return frame.set_index(["sku", "location"])


def _within_fit_budget(
    candidates: dict[int, tuple[str, ...]],
    stats: pd.DataFrame,
    budget: float,
    fits: int,
    season: int,
    warnings: list[str],
) -> dict[int, tuple[str, ...]]:
    """Candidates with the per-series AutoETS / MSTL fits of the series that sold least
    left out beyond `budget` estimated core-seconds for `fits` fits per series
    (`forecasting.fit_budget`); a warning says how many series and what it saves."""
    kept, saved = within_budget(
        candidates, stats, season_length=season, fits=fits, budget_seconds=budget
    )
    dropped = [uid for uid in candidates if uid not in kept]
    if not dropped:
        return candidates
    warnings.append(
        f"{len(dropped)} of {len(candidates)} series (those with the fewest units sold) choose"
        " without per-series AutoETS/MSTL fits, which would take an estimated"
        f" {saved / 60:.0f} more core-minutes than the budget of"
        f" {budget:g} core-seconds (ForecastConfig.local_fit_budget, CLI"
        " --fit-budget; named models are tried on every series)"
    )
    return {
        uid: names if uid in kept else without_budgeted(names) for uid, names in candidates.items()
    }


def _series_stats(train: pd.DataFrame, season: int, recent: int = 0) -> pd.DataFrame:
    """Per unique_id: length, history_periods (since first sale), nonzero count, units
    (total sold), scale (seasonal-naive MAE, falling back to mean |y| then 1), repeats (the
    series sold and its seasonal-naive MAE is 0: every period equals the one a season
    earlier, e.g. a constant), recent_periods / recent_nonzero (the last `recent` periods
    since the first sale, and those with a sale), adi, cv2, demand_class."""
    classes = classify_series(train).set_index("unique_id")
    rows = {}
    for uid, group in train.groupby("unique_id", sort=True):
        y = group["y"].to_numpy()
        active = since_first_sale(y)
        scale = seasonal_naive_scale(y, season)
        repeats = bool(scale == 0 and active.size > 0)
        if not np.isfinite(scale) or scale <= 0:
            scale = float(np.abs(y).mean()) if y.size and np.abs(y).mean() > 0 else 1.0
        last = active[max(active.size - recent, 0) :] if recent > 0 else active[:0]
        rows[uid] = (
            y.size,
            active.size,
            int((y > 0).sum()),
            float(y.sum()),
            scale,
            repeats,
            last.size,
            int((last > 0).sum()),
        )
    stats = pd.DataFrame.from_dict(
        rows,
        orient="index",
        columns=[
            "length",
            "history_periods",
            "nonzero",
            "units",
            "scale",
            "repeats",
            "recent_periods",
            "recent_nonzero",
        ],
    )
    return stats.join(classes)


def _fit_chosen(
    prep: PreparedInputs,
    choice: pd.DataFrame,
    runner: Runner,
    horizon: int,
    freq: str,
    season: int,
    quantiles: tuple[float, ...],
    method: str,
    n_windows: int,
    pool: IndexPool | None = None,
) -> pd.DataFrame:
    """Fit each series' chosen model on its full history: unique_id, ds, mean, model
    (+ quantile columns when method == "model"). `pool`: the series that share seasonal
    indices (group_seasonal_ets)."""
    levels = interval_levels(quantiles) if method == "model" else None
    members = pd.DataFrame(
        [
            (uid, member)
            for uid, model in zip(choice["unique_id"], choice["model"], strict=True)
            for member in ensemble_members(str(model))
        ],
        columns=["unique_id", "model"],
    )
    parts = []
    for name, group in members.groupby("model", sort=True):
        uids = group["unique_id"].to_numpy()
        if name in GLOBAL_MODELS:  # learn from every warm series, predict the chosen
            warm = prep.train[prep.train["unique_id"].isin(choice["unique_id"])]
            out = _global_forecast(
                str(name), warm, prep, runner, horizon, freq, season, uids, levels, pool
            )
        else:
            train = prep.train[prep.train["unique_id"].isin(uids)]
            future = (
                None if prep.future is None else prep.future[prep.future["unique_id"].isin(uids)]
            )
            intervals = conformal_intervals_for(str(name), horizon, n_windows) if levels else None
            model = build_model(str(name), season, freq=freq, prediction_intervals=intervals)
            out = runner.forecast(
                [model],
                train,
                horizon,
                freq=prep.sf_freq,
                season_length=season,
                future=future,
                level=levels,
            )
        frame = pd.DataFrame({"unique_id": out["unique_id"].to_numpy(), "ds": out["ds"].to_numpy()})
        frame["mean"] = out[name].to_numpy()
        if levels:
            for q in quantiles:
                if abs(q - 0.5) < 1e-12:
                    values = out[name].to_numpy()
                else:
                    level = round(abs(2 * q - 1) * 100)
                    side = "lo" if q < 0.5 else "hi"
                    values = out[f"{name}-{side}-{level}"].to_numpy()
                frame[quantile_column(q)] = np.clip(values, 0.0, None)
        frame["model"] = name
        parts.append(frame)
    fitted = pd.concat(parts, ignore_index=True)
    if len(members) == len(choice):
        return fitted
    # ensembles: average the members' forecasts, label with the ensemble name
    value_columns = [c for c in fitted.columns if c not in ("unique_id", "ds", "model")]
    combined = fitted.groupby(["unique_id", "ds"], sort=True)[value_columns].mean().reset_index()
    combined["model"] = (
        choice.set_index("unique_id")["model"].reindex(combined["unique_id"]).to_numpy()
    )
    return combined


def _global_forecast(
    name: str,
    warm: pd.DataFrame,
    prep: PreparedInputs,
    runner: Runner,
    horizon: int,
    freq: str,
    season: int,
    predict_ids: np.ndarray,
    levels: list[int] | None = None,
    pool: IndexPool | None = None,
) -> pd.DataFrame:
    """Forecasts of the global model `name` learnt from every series of `warm`, for the
    series `predict_ids`: unique_id, ds, <name> (+ <name>-lo-<level>, <name>-hi-<level>
    for `levels`, group_seasonal_ets only). LightGBM takes the future features;
    group_seasonal_ets the seasonal indices of `pool`, top_down_share its SKU totals."""
    if name == GROUP_MODEL:
        return group_seasonal_forecast(
            warm,
            horizon,
            runner=runner,
            sf_freq=prep.sf_freq,
            freq=freq,
            season_length=season,
            pool=pool,
            predict_ids=predict_ids,
            level=levels,
        )
    if levels:  # only when named alone (or with other global models) and nothing backtested
        raise ValueError(
            f"{name} has no intervals of its own: its quantiles come from its backtest errors,"
            " so it needs n_windows >= 1 and series long enough for those windows"
            " (or name a statsforecast model besides it)"
        )
    if name == TOP_DOWN_MODEL:
        return top_down_forecast(
            warm,
            horizon,
            runner=runner,
            sf_freq=prep.sf_freq,
            season_length=season,
            pool=pool,
            predict_ids=predict_ids,
        )
    return global_forecast(
        warm,
        horizon,
        freq=freq,
        sf_freq=prep.sf_freq,
        season_length=season,
        future=prep.future,
        predict_ids=predict_ids,
    )


def _selection_frame(
    prep: PreparedInputs, stats: pd.DataFrame, choice: pd.DataFrame, cold_ids: list[int]
) -> pd.DataFrame:
    ids = prep.ids.set_index("unique_id")
    chosen = choice.set_index("unique_id")
    frame = ids.join(stats[["adi", "cv2", "demand_class", "history_periods"]]).join(
        chosen[["model", "mase", "scores"]]
    )
    frame["cold_start"] = frame.index.isin(cold_ids)
    frame.loc[frame["cold_start"], "model"] = COLD_START_MODEL
    frame["demand_class"] = frame["demand_class"].fillna("unknown")
    frame["history_periods"] = frame["history_periods"].fillna(0).astype(int)
    frame["scores"] = frame["scores"].fillna("")
    return frame.reset_index(drop=True)[list(SELECTION_COLUMNS)]
