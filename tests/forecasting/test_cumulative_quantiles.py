"""`forecasting.cumulative` and `forecast(..., cumulative_quantiles=True)`: quantiles of the
total demand over forecast periods 1..k, calibrated on cumulative backtest errors."""

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from forecasting.cumulative import (
    cumulative_error_quantiles,
    cumulative_residuals,
    monotone_cumulative,
    running_sums,
)
from forecasting.intervals import scaled_error_quantiles, step_spreads
from tests.forecasting.helpers import series_frame

QS = (0.05, 0.1, 0.5, 0.9, 0.95)
CUM = ["cum_p05", "cum_p10", "cum_p50", "cum_p90", "cum_p95"]
PER = ["p05", "p10", "p50", "p90", "p95"]
NAIVE = ForecastConfig(
    models=("seasonal_naive",), n_windows=3, season_length=1, holiday_country=None
)


def _residuals(errors: np.ndarray, scale: float = 1.0) -> pd.DataFrame:
    """Residual rows from an errors array (windows x series x steps): y = 10 + error,
    yhat = 10, so y - yhat is the error; cutoff = the window."""
    n_windows, n_series, horizon = errors.shape
    w, s, k = np.meshgrid(
        np.arange(n_windows), np.arange(n_series), np.arange(1, horizon + 1), indexing="ij"
    )
    return pd.DataFrame(
        {
            "unique_id": s.ravel(),
            "cutoff": pd.Timestamp("2024-01-01") + pd.to_timedelta(7 * w.ravel(), unit="D"),
            "step": k.ravel(),
            "y": 10.0 + scale * errors.ravel(),
            "yhat": 10.0,
        }
    )


def test_cumulative_conformal_quantile_by_hand() -> None:
    """5 series, one window, horizon 2, series scale 2, errors (units) step 1: 2, -2, 4,
    -4, 0 and step 2: 2, -2, 4, -4, 8. Scaled: e1 = 1, -1, 2, -2, 0; e2 = 1, -1, 2, -2, 4.
    Cumulative E1 = e1 (mean |E1| = 6 / 5 = 1.2), E2 = e1 + e2 = 2, -2, 4, -4, 4 (mean
    |E2| = 16 / 5 = 3.2; increasing, so isotonic regression keeps both). Normalised:
    E1 / 1.2 = 5/6, -5/6, 5/3, -5/3, 0 and E2 / 3.2 = 5/8, -5/8, 5/4, -5/4, 5/4; pooled and
    sorted (n = 10): -5/3, -5/4, -5/6, -5/8, 0, 5/8, 5/6, 5/4, 5/4, 5/3.
    q = 0.7: rank ceil(11 * 0.7) = 8 -> 5/4; q = 0.5: rank ceil(5.5) = 6 -> 5/8;
    q = 0.3: rank 11 - ceil(11 * 0.7) = 3 -> -5/6. Offsets = spread_k * those."""
    e1 = np.array([1.0, -1.0, 2.0, -2.0, 0.0])
    e2 = np.array([1.0, -1.0, 2.0, -2.0, 4.0])
    residuals = pd.DataFrame(
        {
            "unique_id": np.r_[np.arange(5), np.arange(5)],
            "step": np.r_[np.ones(5, dtype=int), np.full(5, 2)],
            "y": 7.0 + 2.0 * np.r_[e1, e2],
            "yhat": 7.0,
        }
    ).sample(frac=1.0, random_state=3)  # row order must not matter
    scales = pd.Series(2.0, index=np.arange(5))
    classes = pd.Series("smooth", index=np.arange(5))
    offsets = cumulative_error_quantiles(residuals, scales, classes, (0.3, 0.5, 0.7), 2)
    assert set(offsets) == {"*"}  # 10 errors < MIN_POOL: no class or group pool
    expected = [
        [1.2 * -5 / 6, 1.2 * 5 / 8, 1.2 * 5 / 4],  # -1.0, 0.75, 1.5
        [3.2 * -5 / 6, 3.2 * 5 / 8, 3.2 * 5 / 4],  # -2.667, 2.0, 4.0
    ]
    np.testing.assert_allclose(offsets["*"], expected, rtol=1e-12)


def test_cumulative_residuals_sum_each_window_and_stop_at_gaps() -> None:
    residuals = pd.DataFrame(
        {
            "unique_id": [1, 1, 1, 1, 1, 2, 2, 3, 3],
            "cutoff": ["a", "a", "a", "b", "b", "a", "a", "a", "a"],
            "step": [3, 1, 2, 1, 3, 1, 2, 1, 2],  # window (1, b) misses step 2
            "y": [4.0, 1.0, 2.0, 5.0, 6.0, 1.0, np.nan, 2.0, 2.0],
            "yhat": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    out = cumulative_residuals(residuals)
    got = {(r.unique_id, r.cutoff, r.step): (r.y, r.yhat) for r in out.itertuples(index=False)}
    assert set(got) == {(1, "a", 1), (1, "a", 2), (1, "a", 3), (1, "b", 1), (2, "a", 1),
                        (2, "a", 2), (3, "a", 1), (3, "a", 2)}  # fmt: skip
    assert got[(1, "a", 3)] == (7.0, 3.0)  # 1 + 2 + 4 against 3 x 1
    assert got[(1, "b", 1)] == (5.0, 1.0)  # step 3 of window b dropped (no step 2)
    assert np.isnan(got[(2, "a", 2)][0])  # a missing actual: the total is unknown
    assert got[(3, "a", 2)] == (4.0, 2.0)
    assert "demand_class" not in out.columns
    # the class at each window's origin goes with the window's cumulative errors
    origin_class = {(1, "a"): "smooth", (1, "b"): "erratic", (2, "a"): "lumpy", (3, "a"): "lumpy"}
    classed = residuals.assign(
        demand_class=[
            origin_class[k] for k in zip(residuals["unique_id"], residuals["cutoff"], strict=True)
        ]
    )
    out = cumulative_residuals(classed)
    assert (
        all(origin_class[(r.unique_id, r.cutoff)] == r.demand_class for r in out.itertuples())
        and len(out) == 8
    )


def test_cumulative_spread_grows_like_k_for_level_errors_and_sqrt_k_for_noise() -> None:
    """Persistent level errors (all steps of a series' window equal one N(0, 1) draw):
    E_k = k c, so the spread and every offset at k are exactly k times those at k = 1.
    Independent N(0, 1) errors: E_k ~ N(0, k), mean |E_k| = sqrt(2 k / pi). Each spread is
    a mean of 1,200 |normal| values, relative sd sqrt(pi / 2 - 1) / sqrt(1200) = 2.2%; a
    ratio of two of them (positively correlated) has relative sd <= 3.1%, so +-10% is
    over 3 sd."""
    rng = np.random.default_rng(21)
    horizon, n_series, n_windows = 9, 400, 3
    scales = pd.Series(1.0, index=np.arange(n_series))
    classes = pd.Series("smooth", index=np.arange(n_series))
    k = np.arange(1, horizon + 1)

    level = np.repeat(rng.normal(size=(n_windows, n_series, 1)), horizon, axis=2)
    persistent = _residuals(level)
    cum = cumulative_residuals(persistent)
    spread = step_spreads(cum["step"].to_numpy(), (cum["y"] - cum["yhat"]).abs().to_numpy(), 9)
    np.testing.assert_allclose(spread / spread[0], k, rtol=1e-9)
    offsets = cumulative_error_quantiles(persistent, scales, classes, QS, horizon)["smooth"]
    np.testing.assert_allclose(offsets / offsets[0], np.repeat(k[:, None], len(QS), 1))

    noise = _residuals(rng.normal(size=(n_windows, n_series, horizon)))
    cum = cumulative_residuals(noise)
    spread = step_spreads(cum["step"].to_numpy(), (cum["y"] - cum["yhat"]).abs().to_numpy(), 9)
    ratio = spread / spread[0]
    np.testing.assert_allclose(ratio[[1, 3, 8]], np.sqrt([2.0, 4.0, 9.0]), rtol=0.10)
    assert ratio[8] < 0.4 * 9  # far from the comonotone (level-error) growth
    offsets = cumulative_error_quantiles(noise, scales, classes, QS, horizon)["smooth"]
    # the 90% offset of E_9 ~ N(0, 9): 1.2816 * 3 (1,200 x 9 pooled normalised errors)
    assert offsets[8, 3] == pytest.approx(1.2816 * 3.0, rel=0.10)


def test_row_one_relation_to_the_per_step_offsets() -> None:
    """At k = 1 the cumulative error is the step-1 error, but the normalised pools differ
    (per step: e_k / spread_k, cumulative: E_k / cumspread_k over all k), so the two offsets
    at k = 1 agree exactly only when those pools coincide: with level errors (e_k = c,
    E_k = k c, both normalise to c / mean |c|) and with a horizon of one step."""
    rng = np.random.default_rng(4)
    scales = pd.Series(1.0, index=np.arange(50))
    classes = pd.Series("smooth", index=np.arange(50))
    level = _residuals(np.repeat(rng.normal(size=(2, 50, 1)), 5, axis=2))
    np.testing.assert_allclose(
        cumulative_error_quantiles(level, scales, classes, QS, 5)["smooth"][0],
        scaled_error_quantiles(level, scales, classes, QS, 5)["smooth"][0],
        rtol=1e-12,
    )
    one_step = _residuals(rng.normal(size=(2, 50, 1)))
    np.testing.assert_allclose(
        cumulative_error_quantiles(one_step, scales, classes, QS, 1)["smooth"],
        scaled_error_quantiles(one_step, scales, classes, QS, 1)["smooth"],
        rtol=1e-12,
    )


def test_monotone_cumulative_clips_sorts_and_keeps_the_running_maximum() -> None:
    # two interleaved series; series 0 rows in date order: (2, 5), (1, 6), (3, 4)
    values = np.array([[2.0, 5.0], [9.0, 8.0], [1.0, 6.0], [-1.0, 7.0], [3.0, 4.0]])
    series = np.array([0, 1, 0, 1, 0])
    out = monotone_cumulative(values, series)
    np.testing.assert_allclose(out, [[2, 5], [8, 9], [2, 6], [8, 9], [3, 6]])
    np.testing.assert_allclose(running_sums(values, series)[4], [6.0, 15.0])


def _history(n: int, days: int, seed: int) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """n stationary daily series, 50 + AR(1) noise (phi 0.6, innovation sd 4)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, days))
    x[:, 0] = rng.normal(0.0, 4.0 / np.sqrt(1 - 0.36), size=n)
    for t in range(1, days):
        x[:, t] = 0.6 * x[:, t - 1] + rng.normal(0.0, 4.0, size=n)
    dates = pd.date_range("2024-01-01", periods=days)
    return series_frame(np.clip(50.0 + x, 0.0, None), dates), dates


def test_forecast_cumulative_columns_layout_and_validity() -> None:
    """Off: exactly today's frame. On: cum_pNN after the pNN columns, non-decreasing in
    the step, never crossing, >= 0; a cold start (and a model-interval run) gets the running
    sum of its per-period quantiles."""
    history, dates = _history(12, 60, seed=2)
    sparse = np.where(np.random.default_rng(0).random(60) < 0.7, 0.0, 3.0)
    history.loc[history["sku"] == "S000", "units"] = sparse  # intermittent, zero floors
    new = pd.DataFrame(
        {"sku": "NEW", "location": "L", "date": dates[-4:], "units": [1.0, 2.0, 0.0, 3.0]}
    )
    history = pd.concat([history, new], ignore_index=True)

    plain = forecast(history, 7, quantiles=QS, config=NAIVE).forecasts
    assert list(plain.columns) == ["sku", "location", "date", "mean", *PER, "model"]
    result = forecast(history, 7, quantiles=QS, config=NAIVE, cumulative_quantiles=True)
    f = result.forecasts
    assert list(f.columns) == ["sku", "location", "date", "mean", *PER, *CUM, "model"]
    pd.testing.assert_frame_equal(f.drop(columns=CUM), plain)

    values = f[CUM].to_numpy()
    assert np.all(values >= 0.0)
    assert np.all(np.diff(values, axis=1) >= 0.0)  # levels never cross
    steps = f.groupby(["sku", "location"])[CUM].diff().dropna().to_numpy()
    assert np.all(steps >= 0.0)  # non-decreasing in k
    # one period's total is that period's demand: the first step's cumulative quantiles
    # are its per-period ones (zero-floored S000 and the conformal series alike)
    first = f.groupby(["sku", "location"]).head(1)
    np.testing.assert_array_equal(first[CUM].to_numpy(), first[PER].to_numpy())
    # the cumulative median of a smooth series is near the summed point forecast
    s5 = f[f["sku"] == "S005"]
    assert s5["cum_p50"].iloc[-1] == pytest.approx(s5["mean"].sum(), rel=0.05)
    # narrower than summing the per-period quantiles (errors partly cancel), still wider
    # than one period
    width = s5["cum_p90"].iloc[-1] - s5["cum_p10"].iloc[-1]
    assert (s5["p90"] - s5["p10"]).iloc[0] < width < (s5["p90"] - s5["p10"]).sum()

    cold = f[f["sku"] == "NEW"]
    assert set(cold["model"]) == {"cold_start_profile"}
    np.testing.assert_allclose(cold[CUM].to_numpy(), cold[PER].cumsum().to_numpy())

    model_config = ForecastConfig(
        models=("seasonal_naive",),
        n_windows=1,
        season_length=1,
        holiday_country=None,
        interval_method="model",
    )
    m = forecast(history, 7, quantiles=QS, config=model_config, cumulative_quantiles=True)
    g = m.forecasts
    # per-period quantiles are >= 0 and sorted, so their running sums need no repair
    sums = g.groupby(["sku", "location"])[PER].cumsum().to_numpy()
    np.testing.assert_allclose(g[CUM].to_numpy(), sums)


def test_forecast_row_one_equals_per_period_quantiles_with_one_step() -> None:
    """Horizon 1: the cumulative pool is the per-step pool, so for warm conformal series
    without zero periods (no zero-sale floor) cum_pNN equals pNN exactly."""
    history, _ = _history(40, 50, seed=5)
    f = forecast(history, 1, quantiles=QS, config=NAIVE, cumulative_quantiles=True).forecasts
    assert set(f["model"]) == {"seasonal_naive"}
    np.testing.assert_allclose(f[CUM].to_numpy(), f[PER].to_numpy(), rtol=1e-12)


def test_cumulative_band_covers_80_percent_of_held_out_totals() -> None:
    """200 series of 50 + AR(1) noise (phi 0.6), naive forecasts (season 1) whose errors
    are persistent within a window (they share -x_T). Held-out origin: the 7-day total must
    fall in [cum_p10, cum_p90] of day 7 about 80% of the time. 200 independent series: the
    binomial sd of a coverage of 0.8 is sqrt(0.16 / 200) = 2.8 points; the calibration pool
    (3 windows x 200 series) adds ~1 point, so +-8 points is ~2.7 sd. Summing the per-day
    quantiles (comonotone) over-covers."""
    horizon, days = 7, 70
    history, dates = _history(200, days + horizon, seed=11)
    past = history[history["date"] < dates[days]]
    actual = history[history["date"] >= dates[days]].groupby("sku")["units"].sum()
    f = forecast(past, horizon, quantiles=(0.1, 0.5, 0.9), config=NAIVE, cumulative_quantiles=True)
    last = f.forecasts.groupby("sku").tail(1).set_index("sku")
    inside = (actual >= last["cum_p10"]) & (actual <= last["cum_p90"])
    assert abs(inside.mean() - 0.8) <= 0.08, inside.mean()
    sums = f.forecasts.groupby("sku")[["p10", "p90"]].sum()
    comonotone = ((actual >= sums["p10"]) & (actual <= sums["p90"])).mean()
    assert comonotone > inside.mean()
