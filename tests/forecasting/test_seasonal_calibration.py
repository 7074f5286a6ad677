"""Seasonal calibration windows (`ForecastConfig.seasonal_calibration`): placement of the
windows one season back from the origin, and how their errors join the recent ones."""

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, forecast
from forecasting.engine import _ChosenBacktest, _with_seasonal_residuals
from forecasting.intervals import seasonal_windows
from forecasting.runner import Runner
from tests.forecasting.helpers import gamma_train, last_period_residuals, series_frame


def test_seasonal_windows_known_placements() -> None:
    # weekly, season 52, h 8, 3 recent windows (the last 24 weeks): cutoffs T-60, T-52,
    # T-44, i.e. drop the last 36 weeks and backtest 3 windows
    assert seasonal_windows(52, 8, 3) == (36, 3)
    # 6 recent windows (48 weeks): only the window before the season-back one ends in time
    assert seasonal_windows(52, 8, 6) == (52, 1)
    # h 13 (recent windows after T-39): cutoffs T-65, T-52 end at T-52, T-39; the one at
    # T-39 would end at T-26, inside the recent windows
    assert seasonal_windows(52, 13, 3) == (39, 2)
    # monthly and daily: the recent windows already cover the season-back periods
    assert seasonal_windows(12, 6, 3) == (0, 0)
    assert seasonal_windows(7, 28, 3) == (0, 0)
    # cutoffs T-15, T-12, T-9, the last ending at T-6 where the recent windows begin
    assert seasonal_windows(12, 3, 2) == (6, 3)


def test_config_rejects_unknown_seasonal_calibration() -> None:
    assert ForecastConfig().seasonal_calibration == "replace"
    assert ForecastConfig.fast().seasonal_calibration == "off"
    with pytest.raises(ValueError):
        ForecastConfig(seasonal_calibration="weighted")


def _weekly_train(lengths: tuple[int, ...], seed: int = 3) -> pd.DataFrame:
    """unique_id 0.. with random positive weekly values, all ending on the same date."""
    return gamma_train(lengths, freq="W-FRI", end="2012-04-27", shape=5.0, scale=20.0, seed=seed)


def _recent(train: pd.DataFrame) -> pd.DataFrame:
    """Stand-in selection residuals: one row per series in its last window."""
    return last_period_residuals(train, np.timedelta64(7, "D"))


def _seasonal_rows(mode: str, lengths: tuple[int, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    train = _weekly_train(lengths)
    choice = pd.DataFrame({"unique_id": range(len(lengths)), "model": "seasonal_naive"})
    recent = _recent(train)
    out = _with_seasonal_residuals(
        recent,
        train,
        choice,
        _ChosenBacktest(
            ForecastConfig(seasonal_calibration=mode), Runner(), "W-FRI", "W", 8, 52, 8
        ),
    )
    return train, out


def test_seasonal_residuals_are_the_chosen_models_errors_one_season_back() -> None:
    # series 0: 150 weeks (long enough: 150 - 36 = 114 >= 3 * 8 + 53); series 1: 100 weeks
    # (64 < 77 after truncation: no seasonal windows)
    train, out = _seasonal_rows("add", (150, 100))
    added = out.iloc[2:]
    assert len(out) == 2 + 24 and set(added["unique_id"]) == {0}
    last = train["ds"].max()
    week = pd.Timedelta(weeks=1)
    expected_cutoffs = [last - k * week for k in (60, 52, 44)]
    assert sorted(pd.unique(added["cutoff"])) == expected_cutoffs
    assert added["step"].tolist() == list(range(1, 9)) * 3
    # seasonal naive: the forecast of week t is the value of week t - 52
    y = train[train["unique_id"] == 0].set_index("ds")["y"]
    expected = y.reindex(pd.DatetimeIndex(added["ds"]) - 52 * week).to_numpy()
    np.testing.assert_allclose(added["yhat"].to_numpy(), expected)
    np.testing.assert_allclose(added["y"].to_numpy(), y.reindex(added["ds"]).to_numpy())
    # the recent rows are kept as they were
    pd.testing.assert_frame_equal(out.iloc[:2].reset_index(drop=True), _recent(train))


def test_replace_drops_recent_errors_only_of_series_with_seasonal_windows() -> None:
    _, out = _seasonal_rows("replace", (150, 100))
    per_series = out.groupby("unique_id").size()
    assert per_series.to_dict() == {0: 24, 1: 1}  # series 1 keeps its recent error
    _, off = _seasonal_rows("off", (150, 100))
    assert len(off) == 2


def test_seasonal_calibration_keeps_point_forecasts_and_moves_bands() -> None:
    # 12 weekly series, 3 years: noisy in weeks 40-52 of each year (holiday season), calm
    # otherwise; the origin is in April, so the recent windows hold the noisy weeks and the
    # seasonal ones (May-July a year back) do not
    rng = np.random.default_rng(0)
    dates = pd.date_range("2009-05-01", periods=156, freq="W-FRI")
    week_of_year = dates.isocalendar().week.to_numpy()
    noise = np.where(week_of_year >= 40, 40.0, 5.0)
    values = 200.0 + rng.normal(0.0, 1.0, (12, len(dates))) * noise
    history = series_frame(values, dates)
    history = history[history["date"] <= pd.Timestamp("2012-04-27")]
    config = ForecastConfig(models=("seasonal_naive", "auto_ets"), holiday_country=None)
    runs = {
        mode: forecast(
            history,
            8,
            freq="W",
            config=ForecastConfig(**{**config.__dict__, "seasonal_calibration": mode}),
            cumulative_quantiles=True,
        ).forecasts
        for mode in ("off", "add", "replace")
    }
    for mode in ("add", "replace"):
        np.testing.assert_allclose(runs[mode]["mean"], runs["off"]["mean"])
    width = {m: float((f["p90"] - f["p10"]).mean()) for m, f in runs.items()}
    assert width["replace"] < width["add"] < width["off"]
    # the cumulative columns are calibrated on the same errors
    cum_width = {m: float((f["cum_p90"] - f["cum_p10"]).mean()) for m, f in runs.items()}
    assert cum_width["replace"] < cum_width["off"]
