"""Per-series model selection by rolling-origin backtest (Tashman 2000) and MASE.

For each group of series sharing a candidate set, statsforecast `cross_validation` runs
`n_windows` windows of `horizon` periods (step = horizon, expanding training window). Each
series keeps the candidate with the lowest MASE over all its backtest points (ties go to
the earlier candidate, so simpler models win ties); with `ensemble_top` > 1 the means of the
best few compete too. With a selection shrinkage (`ForecastConfig.selection_shrinkage`,
default 0.5) the score is pooled with the other series' (`shrunk_combinations`).

Errors for conformal intervals must not be the selected model's own in-selection errors
(choosing the best of several on the same windows makes them optimistic). With two or more
windows, the error kept for window w is that of the candidate that would have been chosen
from the other windows alone (leave-one-window-out, in the spirit of cross-conformal
prediction, Vovk 2015).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.candidates import GLOBAL_MODELS, build_model
from forecasting.global_model import global_cross_validation
from forecasting.group_seasonal import MODEL_NAME as GROUP_MODEL
from forecasting.group_seasonal import IndexPool, group_seasonal_cross_validation
from forecasting.runner import Runner
from forecasting.top_down import MODEL_NAME as TOP_DOWN_MODEL
from forecasting.top_down import top_down_cross_validation

ENSEMBLE_PREFIX = "ensemble:"
# shrunk_combinations: bounds on a series' MAE ratio (combination / mean single candidate)
RATIO_FLOOR = 0.01


def ensemble_members(model: str) -> list[str]:
    """Member model names of a chosen model name ("ensemble:a+b" -> [a, b]; "a" -> [a])."""
    if model.startswith(ENSEMBLE_PREFIX):
        return model[len(ENSEMBLE_PREFIX) :].split("+")
    return [model]


@dataclass(frozen=True)
class Selection:
    """`choice`: unique_id, model, mase, scores (text "model=mase;...").
    `residuals`: unique_id, ds, cutoff, step (1..h), y, yhat of the chosen model.
    `predictions`: the backtest itself: unique_id, ds, cutoff, y and one column per
    candidate."""

    choice: pd.DataFrame
    residuals: pd.DataFrame
    predictions: pd.DataFrame


def leaving_a_candidate(
    excluded: dict[str, pd.Index], candidates: tuple[str, ...]
) -> dict[str, pd.Index]:
    """`excluded` (candidate name -> unique_ids it does not apply to) restricted to
    `candidates`, less the series it would leave without any candidate: those keep every
    candidate (e.g. a caller who names SeasonalNaive alone gets it on a series sold for
    less than a season)."""
    relevant = {n: pd.Index(ids) for n, ids in excluded.items() if n in candidates}
    if len(relevant) < len(candidates):
        return relevant
    everywhere = pd.Index(next(iter(relevant.values())))
    for ids in relevant.values():
        everywhere = everywhere.intersection(ids)
    return {n: ids.difference(everywhere) for n, ids in relevant.items()}


def select_models(
    train: pd.DataFrame,
    candidates: tuple[str, ...],
    horizon: int,
    n_windows: int,
    *,
    runner: Runner,
    sf_freq: str,
    freq: str,
    season_length: int,
    scales: pd.Series,
    refit: bool = True,
    ensemble_top: int = 1,
    excluded: dict[str, pd.Index] | None = None,
    shrinkage: float = 0.0,
    pool: IndexPool | None = None,
) -> Selection:
    """Backtest `candidates` on every series of `train` and pick one per series.

    `scales`: per unique_id seasonal-naive MAE (the MASE denominator). With
    `ensemble_top` k > 1, the means of each series' 2, 3, .., k best candidates are also
    scored; the lowest backtest error among the single best and these ensembles is chosen
    (model name "ensemble:a+b", ties to the smaller combination). `excluded`: candidate
    name -> unique_ids for which it is not applicable (never chosen, alone or in an
    ensemble, nor used for their interval errors). `shrinkage`: see
    `shrunk_combinations` (0 = every series on its own backtest). `pool`: the series
    whose seasonal indices group_seasonal_ets shares (None: those of `train`, one group).
    """
    local = [n for n in candidates if n not in GLOBAL_MODELS]
    cv = None
    if local:
        models = [build_model(n, season_length, freq=freq) for n in local]
        cv = runner.cross_validation(
            models,
            train,
            horizon,
            n_windows,
            freq=sf_freq,
            season_length=season_length,
            refit=refit,
        )
    global_parts = [
        global_model_cross_validation(
            name,
            train,
            horizon,
            n_windows,
            runner=runner,
            sf_freq=sf_freq,
            freq=freq,
            season_length=season_length,
            pool=pool,
        )
        for name in candidates
        if name in GLOBAL_MODELS
    ]
    keys = ["unique_id", "ds", "cutoff"]
    for gcv in global_parts:
        if cv is None:
            cv = gcv
        else:
            cv = cv.merge(gcv.drop(columns="y"), on=keys, how="left")
    assert cv is not None
    return choose_from_backtest(
        cv, candidates, scales, ensemble_top=ensemble_top, excluded=excluded, shrinkage=shrinkage
    )


def global_model_cross_validation(
    name: str,
    train: pd.DataFrame,
    horizon: int,
    n_windows: int,
    *,
    runner: Runner,
    sf_freq: str,
    freq: str,
    season_length: int,
    pool: IndexPool | None = None,
    step_size: int | None = None,
    refit: bool = True,
    predict_ids: pd.Index | list[int] | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of the global model `name` (GLOBAL_MODELS): unique_id, ds,
    cutoff, y, <name>, for the series `predict_ids` (None: all of `train`). LightGBM
    learns from every series of `train` (`refit` False: fitted at the first origin only);
    group_seasonal_ets takes its indices from `pool` (None: from `train`) and fits AutoETS
    only on the series predicted."""
    if name == GROUP_MODEL:
        if predict_ids is not None:
            train = train[train["unique_id"].isin(predict_ids)]
        return group_seasonal_cross_validation(
            train,
            horizon,
            n_windows,
            runner=runner,
            sf_freq=sf_freq,
            freq=freq,
            season_length=season_length,
            pool=pool,
            step_size=step_size,
        )
    if name == TOP_DOWN_MODEL:
        return top_down_cross_validation(
            train,
            horizon,
            n_windows,
            runner=runner,
            sf_freq=sf_freq,
            season_length=season_length,
            pool=pool,
            step_size=step_size,
            predict_ids=predict_ids,
        )
    cv = global_cross_validation(
        train,
        horizon,
        n_windows,
        freq=freq,
        sf_freq=sf_freq,
        season_length=season_length,
        step_size=step_size,
        refit=refit,
    )
    return cv if predict_ids is None else cv[cv["unique_id"].isin(predict_ids)]


def choose_from_backtest(
    cv: pd.DataFrame,
    candidates: tuple[str, ...],
    scales: pd.Series,
    *,
    ensemble_top: int = 1,
    excluded: dict[str, pd.Index] | None = None,
    shrinkage: float = 0.0,
) -> Selection:
    """The choice of `select_models` from backtest predictions already made: `cv` has
    unique_id, ds, cutoff, y and one column per candidate (NaN where a candidate has no
    prediction). Each series keeps the candidate (or, with `ensemble_top`, the combination)
    with the lowest MAE over all its rows; its residuals are leave-one-window-out
    (`_out_of_selection_predictions`) when the series has two or more windows. `cv` is also
    returned (sorted) as `Selection.predictions`. `shrinkage` > 0: the choice of
    `shrunk_combinations` instead (the series of `cv` share their evidence)."""
    cv = cv.sort_values(["unique_id", "cutoff", "ds"]).reset_index(drop=True)
    for name, ids in (excluded or {}).items():
        if name in candidates:  # never chosen for these series (their MAE becomes inf)
            cv.loc[cv["unique_id"].isin(ids), name] = np.nan
    abs_err = pd.DataFrame({n: (cv[n] - cv["y"]).abs() for n in candidates})
    abs_err["unique_id"] = cv["unique_id"].to_numpy()
    mae = abs_err.groupby("unique_id").mean()
    mae = mae[list(candidates)].fillna(np.inf)
    scale = scales.reindex(mae.index).to_numpy()[:, None]
    mase = mae.to_numpy() / scale
    values = cv[list(candidates)].to_numpy()
    row_of = pd.Index(mae.index).get_indexer(cv["unique_id"])
    if shrinkage > 0:
        members, best_mae, yhat_best = shrunk_combinations(
            values, cv["y"].to_numpy(dtype=float), row_of, mae.to_numpy(), ensemble_top, shrinkage
        )
    else:
        members, best_mae, yhat_best = best_combinations(
            values, cv["y"].to_numpy(dtype=float), row_of, mae.to_numpy(), ensemble_top
        )
    chosen = [
        candidates[m[0]]
        if len(m) == 1
        else ENSEMBLE_PREFIX + "+".join(sorted(candidates[j] for j in m))
        for m in members
    ]
    best_mase = best_mae / scale[:, 0]
    scores = [
        ";".join(f"{name}={value:.3f}" for name, value in zip(candidates, row, strict=True))
        for row in mase
    ]
    choice = pd.DataFrame(
        {
            "unique_id": mae.index.to_numpy(),
            "model": chosen,
            "mase": best_mase,
            "scores": scores,
        }
    )
    several = cv["cutoff"].nunique() > 1
    yhat = _out_of_selection_predictions(cv, candidates) if several else yhat_best
    return Selection(choice=choice, residuals=residual_frame(cv, yhat), predictions=cv)


def residual_frame(cv: pd.DataFrame, yhat: np.ndarray) -> pd.DataFrame:
    """Backtest rows `cv` (unique_id, ds, cutoff, y; dates ascending within each window) with
    their predictions `yhat` as unique_id, ds, cutoff, step, y, yhat; `step` 1 is the first
    period after the cutoff."""
    return pd.DataFrame(
        {
            "unique_id": cv["unique_id"].to_numpy(),
            "ds": cv["ds"].to_numpy(),
            "cutoff": cv["cutoff"].to_numpy(),
            "step": cv.groupby(["unique_id", "cutoff"]).cumcount().to_numpy() + 1,
            "y": cv["y"].to_numpy(),
            "yhat": yhat,
        }
    )


def best_combinations(
    values: np.ndarray,
    y: np.ndarray,
    row_of: np.ndarray,
    mae: np.ndarray,
    ensemble_top: int,
) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray]:
    """Per series, the candidate or equal-weight combination with the lowest backtest MAE.

    `values`: backtest predictions (rows x candidates); `y`: actuals per row; `row_of`: the
    series index (0..n_series-1) of each row; `mae`: per series x candidate MAE (inf where a
    candidate has no prediction; such a candidate is never in a combination). Scored: the
    single best candidate and the means of the 2, 3, .., `ensemble_top` best (equal
    weights, Clemen 1989; Makridakis et al. 2020, M4); a combination is kept only where
    strictly better, so ties go to the smaller one.
    Returns the member indices per series (best first), their MAE per series, and the
    predictions of the chosen combination per row.
    """
    n_series = mae.shape[0]
    order = np.argsort(mae, axis=1, kind="stable")
    best_mae = mae[np.arange(n_series), order[:, 0]]
    chosen_k = np.ones(n_series, dtype=int)
    yhat = values[np.arange(len(values)), order[row_of, 0]]
    for k in range(2, min(ensemble_top, mae.shape[1]) + 1):
        top = order[:, :k]
        ens = _row_mean(np.take_along_axis(values, top[row_of], axis=1))
        ens_mae = np.bincount(row_of, weights=np.abs(ens - y), minlength=n_series) / np.maximum(
            np.bincount(row_of, minlength=n_series), 1
        )
        # only combinations of candidates that have a backtest error for the series
        wins = (ens_mae < best_mae) & np.isfinite(mae[np.arange(n_series), order[:, k - 1]])
        best_mae = np.where(wins, ens_mae, best_mae)
        chosen_k = np.where(wins, k, chosen_k)
        yhat = np.where(wins[row_of], ens, yhat)
    members = [tuple(int(j) for j in order[i, : chosen_k[i]]) for i in range(n_series)]
    return members, best_mae, yhat


def shrunk_combinations(
    values: np.ndarray,
    y: np.ndarray,
    row_of: np.ndarray,
    mae: np.ndarray,
    ensemble_top: int,
    shrinkage: float,
) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray]:
    """Per series, the candidate or equal-weight combination of up to `ensemble_top`
    candidates with the lowest score (1 - shrinkage) x own + shrinkage x shared, where `own`
    = log(the combination's backtest MAE on the series / the mean MAE of the series' single
    candidates) (scale-free) and `shared` = the mean of `own` over every series it applies
    to. A few short backtest windows per series make a per-series choice noisy (selection
    on noise); pooling the evidence of all series shrinks each choice towards what works
    for the group (shrinkage 1: one choice for all, the class-level selection).

    The ratio of a series' MAE to its mean is clipped to [RATIO_FLOOR, 1 / RATIO_FLOOR]
    before the log, so that a perfect backtest (MAE 0: e.g. zeros predicted on a series
    without sales in its windows) counts as 100 times better than the average, not
    infinitely. Arguments and returns as `best_combinations`; every combination is scored
    (not only the series' k best), a combination with a member without backtest error
    (inf MAE) never applies to that series, ties go to the earlier (smaller) combination.
    """
    n_series, n_candidates = mae.shape
    counts = np.maximum(np.bincount(row_of, minlength=n_series), 1)
    combos = [
        combo
        for k in range(1, min(ensemble_top, n_candidates) + 1)
        for combo in itertools.combinations(range(n_candidates), k)
    ]
    finite = np.isfinite(mae)
    n_finite = finite.sum(axis=1)
    reference = np.where(finite, mae, 0.0).sum(axis=1) / np.maximum(n_finite, 1)
    reference = np.where((n_finite > 0) & (reference > 0), reference, 1.0)
    combo_mae = np.full((n_series, len(combos)), np.inf)
    for j, combo in enumerate(combos):
        if len(combo) == 1:  # a single candidate: its MAE as given (NaN rows skipped)
            combo_mae[:, j] = mae[:, combo[0]]
            continue
        # an equal-weight mean scored as best_combinations scores it
        pred = _row_mean(values[:, list(combo)])
        error = np.bincount(row_of, weights=np.abs(pred - y), minlength=n_series) / counts
        combo_mae[:, j] = np.where(finite[:, list(combo)].all(axis=1), error, np.inf)
    applies = np.isfinite(combo_mae)
    own = np.full(combo_mae.shape, np.inf)
    ratio = combo_mae / reference[:, None]
    own[applies] = np.log(np.clip(ratio[applies], RATIO_FLOOR, 1 / RATIO_FLOOR))
    shared = np.array(
        [col[ok].mean() if ok.any() else np.inf for col, ok in zip(own.T, applies.T, strict=True)]
    )
    score = np.full(own.shape, np.inf)
    pooled = np.broadcast_to(shared, own.shape)[applies]
    score[applies] = (1 - shrinkage) * own[applies] + shrinkage * pooled
    pick = np.argmin(score, axis=1)
    # the chosen combination's predictions, computed only for the rows that chose it
    pick_of_row = pick[row_of]
    yhat = np.empty(len(values))
    for j in np.unique(pick):
        rows = pick_of_row == j
        members = list(combos[j])
        yhat[rows] = (
            values[rows, members[0]] if len(members) == 1 else _row_mean(values[rows][:, members])
        )
    return [combos[j] for j in pick], combo_mae[np.arange(n_series), pick], yhat


def _row_mean(block: np.ndarray) -> np.ndarray:
    """Each row's mean over its non-NaN values (an ensemble of the members that have a
    prediction), NaN where it has none; as np.nanmean, without its warning for such rows
    (a combination whose members are all excluded for a series is scored inf anyway)."""
    present = ~np.isnan(block)
    count = present.sum(axis=1)
    total = np.where(present, block, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _out_of_selection_predictions(cv: pd.DataFrame, candidates: tuple[str, ...]) -> np.ndarray:
    """Per row, the prediction of the candidate with the lowest MAE on the series' *other*
    backtest windows."""
    values = cv[list(candidates)].to_numpy(dtype=float)
    errors = np.abs(values - cv["y"].to_numpy(dtype=float)[:, None])
    errors = np.where(np.isnan(errors), np.inf, errors)
    keys = pd.MultiIndex.from_arrays([cv["unique_id"], cv["cutoff"]])
    per_window = pd.DataFrame(errors, index=keys).groupby(level=[0, 1]).agg(["sum", "count"])
    sums = per_window.xs("sum", axis=1, level=1)
    counts = per_window.xs("count", axis=1, level=1)
    series_sum = sums.groupby(level=0).transform("sum")
    series_count = counts.groupby(level=0).transform("sum")
    other_mae = (series_sum - sums) / (series_count - counts).replace(0, np.nan)
    other_mae = other_mae.fillna(np.inf).to_numpy()
    pick_window = np.argmin(other_mae, axis=1)
    pick = pd.Series(pick_window, index=sums.index).reindex(keys).to_numpy()
    return values[np.arange(len(cv)), pick]
