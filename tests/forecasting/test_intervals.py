"""`forecasting.intervals`: finite-sample conformal quantile, per-step spreads, and
calibration when the error grows with the horizon step."""

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from forecasting.intervals import (
    conformal_quantile,
    offsets_for,
    scaled_error_quantiles,
    step_spreads,
    window_adjusted_level,
    zero_inflated_floor,
)
from tests.forecasting.helpers import series_frame


def test_conformal_quantile_uses_rank_ceil_n_plus_1_q() -> None:
    values = np.array([7.0, 1, 9, 3, 5, 2, 8, 4, 6])  # 1..9 shuffled, n = 9
    # q = 0.9: k = ceil(10 * 0.9) = 9 -> the maximum; q = 0.1 mirrors it -> the minimum
    assert conformal_quantile(values, 0.9) == 9.0
    assert conformal_quantile(values, 0.1) == 1.0
    nineteen = np.arange(1.0, 20.0)  # n = 19: k = ceil(20 * 0.9) = 18; lower 20 - 18 = 2
    assert conformal_quantile(nineteen, 0.9) == 18.0
    assert conformal_quantile(nineteen, 0.1) == 2.0
    # n = 4, q = 0.5: k = ceil(2.5) = 3
    assert conformal_quantile(np.array([10.0, 40, 20, 30]), 0.5) == 30.0
    # too few values for the level: clipped to the extremes
    assert conformal_quantile(np.array([1.0, 2.0]), 0.9) == 2.0
    assert conformal_quantile(np.array([1.0, 2.0]), 0.1) == 1.0
    with pytest.raises(ValueError):
        conformal_quantile(np.array([]), 0.5)


def test_step_spreads_are_mean_abs_error_made_non_decreasing() -> None:
    steps = np.array([1, 1, 2, 2, 3, 3])
    abs_errors = np.array([1.0, 1.0, 3.0, 3.0, 2.0, 2.0])  # step means 1, 3, 2
    # pool-adjacent-violators merges steps 2 and 3 (equal weights): (3 + 2) / 2
    np.testing.assert_allclose(step_spreads(steps, abs_errors, 4), [1.0, 2.5, 2.5, 2.5])
    np.testing.assert_allclose(step_spreads(steps, np.zeros(6), 2), [1.0, 1.0])


def test_offsets_follow_error_growing_with_step() -> None:
    """Errors N(0, (step * 1)^2) at steps 1..6, 400 windows each, all series scale 2: the
    p10/p90 offsets (in scale units) are about -/+1.2816 * step / 2, and fresh errors of
    every step fall inside the band about 80% of the time."""
    rng = np.random.default_rng(5)
    horizon, n = 6, 400
    step = np.tile(np.arange(1, horizon + 1), n)
    ids = np.repeat(np.arange(n), horizon)
    err = rng.normal(0.0, 1.0, size=step.size) * step
    residuals = pd.DataFrame({"unique_id": ids, "step": step, "y": err, "yhat": 0.0})
    scales = pd.Series(2.0, index=np.arange(n))
    classes = pd.Series("smooth", index=np.arange(n))
    offsets = scaled_error_quantiles(residuals, scales, classes, (0.1, 0.9), horizon)
    table = offsets["smooth"]
    assert table.shape == (horizon, 2)
    expected = 1.2816 * np.arange(1, horizon + 1) / 2.0
    np.testing.assert_allclose(table[:, 1], expected, rtol=0.15)
    np.testing.assert_allclose(table[:, 0], -expected, rtol=0.15)
    fresh = rng.normal(0.0, 1.0, size=(20_000, horizon)) * np.arange(1, horizon + 1)
    inside = ((fresh >= 2.0 * table[:, 0]) & (fresh <= 2.0 * table[:, 1])).mean(axis=0)
    assert np.all(np.abs(inside - 0.8) < 0.04), inside


def test_random_walk_band_holds_80_percent_early_and_late_in_the_horizon() -> None:
    """Random walks forecast by the naive model (season 1): the error at step h has
    standard deviation sqrt(h). Pooling all steps would over-cover step 1 and under-cover
    step 12; per-step spreads keep both halves of the horizon near 80%."""
    rng = np.random.default_rng(3)
    days, horizon, n = 80, 12, 150
    dates = pd.date_range("2024-01-01", periods=days + horizon)
    walks = 1_000.0 + np.cumsum(rng.normal(0.0, 10.0, size=(n, days + horizon)), axis=1)
    frame = series_frame(walks, dates)
    history = frame[frame["date"] < dates[days]]
    actual = frame[frame["date"] >= dates[days]]
    config = ForecastConfig(
        models=("seasonal_naive",), n_windows=3, season_length=1, holiday_country=None
    )
    joined = forecast(history, horizon, config=config).forecasts.merge(
        actual, on=["sku", "location", "date"]
    )
    assert len(joined) == n * horizon
    joined["step"] = (joined["date"] - dates[days]).dt.days + 1
    joined["inside"] = (joined["units"] >= joined["p10"]) & (joined["units"] <= joined["p90"])
    early = joined.loc[joined["step"] <= horizon // 2, "inside"].mean()
    late = joined.loc[joined["step"] > horizon // 2, "inside"].mean()
    assert abs(early - 0.8) < 0.07, early
    assert abs(late - 0.8) < 0.07, late
    # the band widens with the step (spread ~ sqrt(step))
    width = (joined["p90"] - joined["p10"]).groupby(joined["step"]).mean()
    assert width.iloc[-1] > 2.0 * width.iloc[0]


def test_window_level_unchanged_when_windows_agree() -> None:
    # three windows each holding 1..10: the other two windows' 0.9-quantile (rank
    # ceil(21 * 0.9) = 19 of 20) is 10, nothing of the held-out window lies above it
    z = np.tile(np.arange(1.0, 11.0), 3)
    windows = np.repeat([0, 1, 2], 10)
    assert window_adjusted_level(z, windows, 0.9) == 0.9
    assert window_adjusted_level(z, windows, 0.1) == 0.1
    assert window_adjusted_level(z, windows, 0.5) == 0.5
    # a single window: nothing to cross-check
    assert window_adjusted_level(z, np.zeros(30, dtype=int), 0.9) == 0.9


def test_window_level_moves_to_the_tail_when_windows_differ() -> None:
    # z = (0, 0, 10, 10) from windows a, a, b, b: window b's errors exceed window a's
    # quantile (0) at every level (miss rate 2 / 4 > 0.1): the most extreme candidate,
    # 1 - 0.1 / 5; mirrored for the lower tail
    z = np.array([0.0, 0.0, 10.0, 10.0])
    windows = np.array([0, 0, 1, 1])
    assert window_adjusted_level(z, windows, 0.9) == pytest.approx(0.98)
    assert window_adjusted_level(z, windows, 0.1) == pytest.approx(0.02)


def test_window_level_stops_at_the_first_level_that_covers() -> None:
    # windows 0 and 1 hold 1..20 each, window 2 holds 1..19 and 30: at q = 0.9 the other
    # windows' quantile for window 2 is 19 (rank ceil(41 * 0.9) = 37 of 40), so 30 misses;
    # for windows 0 and 1 the others' quantile is 19 too (1..20 and 1..19 + 30 sorted,
    # rank 37 = 19), missing 20 in each: 3 misses of 60 = 0.05 <= 0.1, so q stays 0.9.
    base = np.arange(1.0, 21.0)
    z = np.concatenate([base, base, np.append(np.arange(1.0, 20.0), 30.0)])
    windows = np.repeat([0, 1, 2], 20)
    assert window_adjusted_level(z, windows, 0.9) == 0.9


def test_offsets_widen_when_backtest_windows_shift() -> None:
    """Errors of three windows centred at -2, 0 and +2 (a common shock per window, spread
    0.5 within): the pooled quantiles ignore that a new window may shift again; with the
    cutoff known, the band is wider than without it, and unchanged when all windows share
    one centre."""
    rng = np.random.default_rng(11)
    n_series, horizon = 60, 4
    rows = []
    for w, centre in enumerate((-2.0, 0.0, 2.0)):
        err = centre + rng.normal(0.0, 0.5, size=(n_series, horizon))
        rows.append(
            pd.DataFrame(
                {
                    "unique_id": np.repeat(np.arange(n_series), horizon),
                    "step": np.tile(np.arange(1, horizon + 1), n_series),
                    "cutoff": pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * w),
                    "y": err.ravel(),
                    "yhat": 0.0,
                }
            )
        )
    residuals = pd.concat(rows, ignore_index=True)
    scales = pd.Series(1.0, index=np.arange(n_series))
    classes = pd.Series("smooth", index=np.arange(n_series))
    qs = (0.1, 0.9)
    with_windows = scaled_error_quantiles(residuals, scales, classes, qs, horizon)["smooth"]
    pooled = scaled_error_quantiles(residuals.drop(columns="cutoff"), scales, classes, qs, horizon)[
        "smooth"
    ]
    width = with_windows[:, 1] - with_windows[:, 0]
    assert np.all(width > 1.2 * (pooled[:, 1] - pooled[:, 0]))
    # one shared centre: the windows agree and the band is the pooled one
    same = residuals.assign(y=rng.normal(0.0, 0.5, size=len(residuals)))
    agree = scaled_error_quantiles(same, scales, classes, qs, horizon)["smooth"]
    plain = scaled_error_quantiles(same.drop(columns="cutoff"), scales, classes, qs, horizon)
    np.testing.assert_allclose(agree, plain["smooth"], rtol=0.05)


def test_sample_band_widens_quantiles_to_the_student_t_interval() -> None:
    from forecasting.cold_start import widen_to_sample_band

    frame = pd.DataFrame(
        {"mean": [10.0, 10.0], "p10": [9.0, 3.0], "p50": [10.0, 10.0], "p90": [11.0, 20.0]}
    )
    # n = 3, sd = 2: half-width t_2(0.9) * 2 * sqrt(4/3) = 4.355
    out = widen_to_sample_band(frame, 3, 2.0)
    np.testing.assert_allclose(out["p90"], [14.355, 20.0], atol=1e-3)
    np.testing.assert_allclose(out["p10"], [5.645, 3.0], atol=1e-3)
    np.testing.assert_allclose(out["p50"], frame["p50"])
    # one period or no spread: unchanged
    pd.testing.assert_frame_equal(widen_to_sample_band(frame, 1, 2.0), frame)
    pd.testing.assert_frame_equal(widen_to_sample_band(frame, 3, 0.0), frame)


def test_small_sparse_class_falls_back_to_sparse_pool_not_all_series() -> None:
    """40 intermittent errors (values -1 .. -40 / 10, a sparse series mostly forecast above
    its zero periods), 20 lumpy errors (too few for a pool of their own) and 400 smooth
    errors in +/-1: lumpy gets the sparse (intermittent + lumpy) quantiles, not "*"."""
    sparse = -np.arange(1.0, 61.0) / 10.0
    smooth = np.tile([-1.0, 1.0], 200)
    errors = np.concatenate([sparse, smooth])
    ids = np.arange(errors.size)
    cls = ["intermittent"] * 40 + ["lumpy"] * 20 + ["smooth"] * 400
    residuals = pd.DataFrame({"unique_id": ids, "step": 1, "y": errors, "yhat": 0.0})
    scales = pd.Series(1.0, index=ids)
    classes = pd.Series(cls, index=ids)
    offsets = scaled_error_quantiles(residuals, scales, classes, (0.1, 0.9), 1)
    assert "lumpy" not in offsets and {"intermittent", "sparse", "continuous"} <= set(offsets)
    # one horizon step: the step spread divides and multiplies back, offsets are in error
    # units. sparse pool: 60 values -0.1 .. -6.0; upper rank ceil(61 * 0.9) = 55 of the ascending
    # order (-6.0 .. -0.1) is -0.6; lower rank 61 - ceil(61 * 0.9) = 6 is -5.5
    np.testing.assert_allclose(offsets_for(offsets, "lumpy")[0], [-5.5, -0.6], rtol=1e-9)
    assert offsets_for(offsets, "smooth") is offsets["smooth"]
    assert offsets_for(offsets, "unknown") is offsets["*"]


def test_zero_inflated_floor_uses_the_conformal_rank_of_the_zero_periods() -> None:
    values = np.array([[2.0, 5.0, 9.0]] * 5)
    qs = (0.1, 0.5, 0.9)
    # (zero periods, periods since the first sale) per row; with n = 11 the ranks are
    # p10: 12 - ceil(10.8) = 1, p50: ceil(6) = 6, p90: ceil(10.8) = 11
    zeros = np.array([0, 1, 5, 10, 11])
    periods = np.array([11, 11, 11, 11, 11])
    out = zero_inflated_floor(values, qs, zeros, periods)
    expected = [
        [2.0, 5.0, 9.0],  # no zero period
        [0.0, 5.0, 9.0],  # one zero: the rank-1 value (p10) is 0
        [0.0, 5.0, 9.0],  # 5 zeros < rank 6 of p50
        [0.0, 0.0, 9.0],  # 10 zeros (share 0.91 >= 0.9) but rank 11 is the sale: p90 > 0
        [0.0, 0.0, 0.0],  # never sold in the 11 periods
    ]
    np.testing.assert_allclose(out, expected)
    # nothing known (n = 0): unchanged
    np.testing.assert_allclose(
        zero_inflated_floor(values[:1], qs, np.array([0]), np.array([0])), values[:1]
    )


def test_zero_inflated_floor_agrees_with_conformal_quantile_of_own_demand() -> None:
    """The q-quantile is floored exactly when `conformal_quantile` of the series' own
    periods (z zeros, n - z sales) is 0."""
    qs = (0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
    for n in range(1, 25):
        for z in range(n + 1):
            out = zero_inflated_floor(np.ones((1, len(qs))), qs, np.array([z]), np.array([n]))
            own = np.r_[np.zeros(z), np.ones(n - z)]
            expected = [conformal_quantile(own, q) for q in qs]
            np.testing.assert_allclose(out[0], expected, err_msg=f"n={n} z={z}")


def test_zero_floor_needs_the_recent_periods_to_agree() -> None:
    values = np.array([[2.0, 5.0, 9.0]] * 3)
    qs = (0.1, 0.5, 0.9)
    # whole history: 300 zeros in 365 periods in every row: p10 and p50 are 0 (0.5 <=
    # 300 / 366 = 0.82), p90 is not
    zeros, periods = np.array([300, 300, 300]), np.array([365, 365, 365])
    out = zero_inflated_floor(
        values,
        qs,
        zeros,
        periods,
        # row 0: 9 zeros in the last 21 periods (p10: 0.1 < 10 / 22; p50: 0.5 > 9 / 22);
        # row 1: 20 of 21 (as the whole history); row 2: no recent periods known
        recent_zero_periods=np.array([9, 20, 0]),
        recent_periods=np.array([21, 21, 0]),
    )
    np.testing.assert_allclose(out, [[0.0, 5.0, 9.0], [0.0, 0.0, 9.0], [0.0, 0.0, 9.0]])
    # recent zeros never add a floor the whole history does not give
    more = zero_inflated_floor(
        values[:1],
        qs,
        np.array([0]),
        np.array([365]),
        recent_zero_periods=np.array([21]),
        recent_periods=np.array([21]),
    )
    np.testing.assert_allclose(more, values[:1])


def test_a_series_that_sells_every_day_now_keeps_a_band_around_its_mean() -> None:
    """Sold on 5 days of a year, then 500 a day for its last 12 days: the whole year's zero
    share (0.95) put p10 = p50 = p90 = 0 under a mean forecast of ~120."""
    units = np.zeros(366)
    units[[40, 100, 170, 230, 300]] = 300.0
    units[-12:] = 500.0
    history = series_frame(units[None, :], pd.date_range("2023-01-01", periods=366))
    f = forecast(history, 7, freq="D", config=ForecastConfig(holiday_country=None)).forecasts
    assert (f["p90"] >= f["mean"]).all() and (f["p90"] > 0).all()


def test_a_series_that_repeats_exactly_gets_its_own_error_as_band_scale() -> None:
    from forecasting.intervals import interval_scales

    scales = pd.Series([2.0, 50.0, 12.0], index=[0, 1, 2])  # 1, 2: fallbacks (their mean)
    residuals = pd.DataFrame(
        {
            "unique_id": [0, 0, 1, 1, 2, 2],
            "cutoff": [1, 2, 1, 2, 1, 2],
            "y": [5.0, 7.0, 50.0, 50.0, 12.0, 30.0],
            "yhat": [4.0, 4.0, 50.0, 50.0, 12.0, 12.0],
        }
    )
    out = interval_scales(scales, residuals, repeating=pd.Index([1, 2]))
    # 0 keeps its seasonal-naive MAE (2 origins < MIN_OWN_WINDOWS); 1 made no error: 0;
    # 2: its own MAE (0 + 18) / 2 = 9, at any number of origins
    assert out.to_dict() == {0: 2.0, 1: 0.0, 2: 9.0}
    assert interval_scales(scales, residuals.iloc[:0], repeating=pd.Index([1])).loc[1] == 0.0


def test_constant_series_beside_a_noisy_one_gets_no_band() -> None:
    """A constant 50 a day used to get p90 = 78: the other series' pooled errors times its
    mean (its seasonal-naive MAE is 0, replaced by the mean)."""
    rng = np.random.default_rng(3)
    days = 120
    pattern = np.tile([10.0, 12, 14, 16, 30, 40, 20], days // 7 + 1)[:days]
    values = np.vstack([np.full(days, 50.0), pattern + rng.poisson(3.0, days)])
    history = series_frame(values, pd.date_range("2024-01-01", periods=days))
    config = ForecastConfig(models=("seasonal_naive", "auto_ets"), holiday_country=None)
    result = forecast(history, 7, freq="D", config=config)
    const = result.forecasts[result.forecasts["sku"] == "S000"]
    for column in ("mean", "p10", "p50", "p90"):
        np.testing.assert_allclose(const[column], 50.0, atol=1e-6)
    noisy = result.forecasts[result.forecasts["sku"] == "S001"]
    assert (noisy["p90"] - noisy["p10"] > 2.0).all()  # the other series keeps its band


def test_every_series_repeating_exactly_gives_point_bands() -> None:
    """Every backtested series repeats its week exactly: no finite scaled error to pool
    (each band scale is 0); the bands are the point forecasts, not a crash."""
    days = 56
    week = np.tile([5.0, 6, 7, 8, 9, 3, 2], days // 7)
    values = np.vstack([week, 2 * week, np.full(days, 4.0)])
    history = series_frame(values, pd.date_range("2024-01-01", periods=days))
    config = ForecastConfig(models=("seasonal_naive",), n_windows=1, holiday_country=None)
    f = forecast(history, 7, freq="D", config=config).forecasts
    np.testing.assert_allclose(f["p10"], f["mean"])
    np.testing.assert_allclose(f["p90"], f["mean"])
    np.testing.assert_allclose(f.loc[f["sku"] == "S001", "mean"], 2 * week[:7])


def test_errors_are_pooled_by_the_class_at_their_window_origin() -> None:
    """Both series are smooth at the forecast origin (`classes`), but series 0's errors
    were made while it was erratic (residuals' demand_class): they form the erratic pool,
    series 1's (demand_class NaN: its class from `classes`) the smooth one. One step, scale
    1, one window, so each offset is the conformal quantile of its pool's errors: 39 values,
    rank ceil(40 x 0.9) = 36 and 40 - 36 = 4."""
    errors = np.arange(1.0, 40.0)
    residuals = pd.DataFrame(
        {
            "unique_id": np.repeat([0, 1], 39),
            "step": 1,
            "y": np.concatenate([errors, errors + 99.0]),
            "yhat": 0.0,
            "demand_class": ["erratic"] * 39 + [np.nan] * 39,
        }
    )
    scales = pd.Series(1.0, index=[0, 1])
    classes = pd.Series("smooth", index=[0, 1])
    offsets = scaled_error_quantiles(residuals, scales, classes, (0.1, 0.9), 1)
    np.testing.assert_allclose(offsets["erratic"], [[4.0, 36.0]])
    np.testing.assert_allclose(offsets["smooth"], [[103.0, 135.0]])
    # without the column both series pool as smooth: 78 errors, ranks ceil(79 x 0.9) = 72
    # and 79 - 72 = 7 of 1..39, 100..138
    pooled = scaled_error_quantiles(
        residuals.drop(columns="demand_class"), scales, classes, (0.1, 0.9), 1
    )
    assert "erratic" not in pooled
    np.testing.assert_allclose(pooled["smooth"], [[7.0, 132.0]])
