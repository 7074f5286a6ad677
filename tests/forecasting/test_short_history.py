"""Very short histories: every series gets well-formed quantiles, never a crash.

A daily history of fewer than `min_history` (14) periods leaves no warm series, so every
series is a cold start forecast from its own history (no peers): mean = its mean units per
period since its first sale, quantiles = the Student-t band of those n values, mean +/-
t_{n-1}(q) * sd * sqrt(1 + 1/n) (`forecasting.cold_start`). A warm series with no model
forecast (SeasonalNaive on fewer periods than a season, possible with a small
`min_history`) gets the mean of its last `season` periods with the same band.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasting import ForecastConfig, forecast
from supplycast.cli import app

QUANTILES = (0.1, 0.5, 0.9)
FAST = ForecastConfig(models=("seasonal_naive",), n_windows=1, holiday_country=None)
# Student t quantiles t_{df}(0.9) (tables; t_{df}(0.1) = -t_{df}(0.9))
T9_090 = 1.383029  # 9 degrees of freedom
T4_090 = 1.533206  # 4 degrees of freedom


def _history(units: dict[str, list[float]], end: str = "2024-03-10") -> pd.DataFrame:
    """sku -> daily units ending on `end`, all at location "L"."""
    frames = [
        pd.DataFrame(
            {
                "sku": sku,
                "location": "L",
                "date": pd.date_range(end=end, periods=len(values), freq="D"),
                "units": np.asarray(values, dtype=float),
            }
        )
        for sku, values in units.items()
    ]
    return pd.concat(frames, ignore_index=True)


def _assert_well_formed(forecasts: pd.DataFrame, n_series: int, horizon: int) -> None:
    columns = ["mean", "p10", "p50", "p90"]
    assert len(forecasts) == n_series * horizon
    assert not forecasts[columns].isna().any().any()
    values = forecasts[["p10", "p50", "p90"]].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-9).all()
    assert (forecasts["mean"] >= 0).all() and (values >= 0).all()


def _rows(forecasts: pd.DataFrame, sku: str) -> pd.DataFrame:
    return forecasts[forecasts["sku"] == sku]


def test_ten_days_uses_each_series_own_level_and_band() -> None:
    """Failed before with KeyError "['p10', 'p50', 'p90'] not in index" (no warm series)."""
    history = _history(
        {
            "A": [2, 4] * 5,  # mean 3, sd sqrt(10 / 9) = 1.05409
            "B": [0, 0, 0, 0, 0, 0, 5, 5, 5, 5],  # 4 periods since the first sale, all 5
            "Z": [0] * 10,  # never sold
            "O": [6],  # one row (the last date)
        }
    )
    result = forecast(history, 7, freq="D", quantiles=QUANTILES, config=FAST)
    f = result.forecasts
    _assert_well_formed(f, 4, 7)
    assert set(f["model"]) == {"cold_start_profile"}
    a = _rows(f, "A")
    half = T9_090 * np.sqrt(10 / 9) * np.sqrt(1 + 1 / 10)  # 1.52897
    np.testing.assert_allclose(a["mean"], 3.0)
    np.testing.assert_allclose(a["p50"], 3.0)
    np.testing.assert_allclose(a["p90"], 3.0 + half, rtol=1e-5)
    np.testing.assert_allclose(a["p10"], 3.0 - half, rtol=1e-5)
    # B: level 5 since its first sale, sd 0 (no band); Z: 0; O: its one value, no band
    np.testing.assert_allclose(_rows(f, "B")[["mean", "p10", "p50", "p90"]], 5.0)
    np.testing.assert_allclose(_rows(f, "Z")[["mean", "p10", "p50", "p90"]], 0.0)
    np.testing.assert_allclose(_rows(f, "O")[["mean", "p10", "p50", "p90"]], 6.0)


@pytest.mark.parametrize("days", [1, 2, 3])
def test_one_to_three_days_with_a_horizon_longer_than_the_history(days: int) -> None:
    history = _history({"A": [4.0] * days, "B": [1.0, 3.0, 2.0][:days]})
    f = forecast(history, 10, freq="D", quantiles=QUANTILES, config=FAST).forecasts
    _assert_well_formed(f, 2, 10)
    np.testing.assert_allclose(_rows(f, "A")["mean"], 4.0)
    np.testing.assert_allclose(_rows(f, "B")["mean"], np.mean([1.0, 3.0, 2.0][:days]))
    assert f["date"].min() == pd.Timestamp("2024-03-11")


@pytest.mark.parametrize("method", ["conformal", "model"])
def test_warm_series_shorter_than_a_season_gets_recent_mean_and_band(method: str) -> None:
    """min_history 3 makes a 5-day series warm; SeasonalNaive (season 7) has no forecast for
    it and no backtest is possible, so it gets the mean of its last 7 (here all 5) days,
    4, and the Student-t band of those 5 values (sd sqrt(10 / 4) = 1.58114)."""
    cfg = ForecastConfig(
        models=("seasonal_naive",),
        n_windows=1,
        min_history=3,
        interval_method=method,
        holiday_country=None,
    )
    history = _history({"A": [3, 5, 4, 6, 2]})
    result = forecast(history, 7, freq="D", quantiles=QUANTILES, config=cfg)
    f = result.forecasts
    _assert_well_formed(f, 1, 7)
    half = T4_090 * np.sqrt(10 / 4) * np.sqrt(1 + 1 / 5)  # 2.65559
    np.testing.assert_allclose(f["mean"], 4.0)
    np.testing.assert_allclose(f["p90"], 4.0 + half, rtol=1e-5)
    np.testing.assert_allclose(f["p10"], 4.0 - half, rtol=1e-5)
    assert any("recent mean" in w for w in result.warnings)


def test_short_warm_series_next_to_long_ones_keeps_recent_mean() -> None:
    """With a long series backtested (conformal offsets exist), the short warm series keeps
    the mean of its 5 days as its point forecast on every row (not SeasonalNaive's copies of
    the days it has); its quantiles come from the offsets."""
    rng = np.random.default_rng(3)
    long_units = list(rng.poisson(8.0, 90).astype(float))
    short = [2, 4, 6, 8, 10]  # shorter than a season: mean 6
    cfg = ForecastConfig(models=("seasonal_naive",), n_windows=1, min_history=3)
    history = _history({"LONG": long_units, "SHORT": short})
    f = forecast(history, 7, freq="D", quantiles=QUANTILES, config=cfg).forecasts
    _assert_well_formed(f, 2, 7)
    np.testing.assert_allclose(_rows(f, "SHORT")["mean"], 6.0)
    assert (_rows(f, "SHORT")["p90"] > 6.0).all()


def test_plan_call_with_items_and_cumulative_quantiles() -> None:
    """The daily plan's call (items for profiles, cum_pNN) on 10 days of history."""
    history = _history({"A": [2, 4] * 5, "B": [1] * 10})
    items = pd.DataFrame({"sku": ["A", "B"], "category": ["c", "c"]})
    f = forecast(
        history,
        7,
        freq="D",
        quantiles=QUANTILES,
        config=FAST,
        items=items,
        cumulative_quantiles=True,
    ).forecasts
    _assert_well_formed(f, 2, 7)
    cum = ["cum_p10", "cum_p50", "cum_p90"]
    assert not f[cum].isna().any().any()
    b = _rows(f, "B")
    np.testing.assert_allclose(b["cum_p50"], np.arange(1, 8))  # running sum of 1 per day
    for _, rows in f.groupby("sku"):
        assert (np.diff(rows[cum].to_numpy(), axis=0) >= -1e-9).all()


def test_cli_on_ten_days_writes_forecasts(tmp_path: Path) -> None:
    path = tmp_path / "H.csv"
    _history({"A": [2, 4] * 5, "Z": [0] * 10}).to_csv(path, index=False)
    out = tmp_path / "F.csv"
    args = ["forecast", "--history", str(path), "--horizon", "7", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--models", "seasonal_naive", "--windows", "1"])
    assert result.exit_code == 0, result.output
    f = pd.read_csv(out, dtype={"sku": str, "location": str})
    assert list(f.columns) == ["sku", "location", "date", "mean", "p10", "p50", "p90", "model"]
    np.testing.assert_allclose(f.loc[f["sku"] == "A", "mean"], 3.0)
    np.testing.assert_allclose(f.loc[f["sku"] == "Z", "p90"], 0.0)


def test_cli_on_a_history_without_rows_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "H.csv"
    path.write_text("sku,location,date,units\n")
    out = tmp_path / "F.csv"
    args = ["forecast", "--history", str(path), "--horizon", "7", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "no rows" in lines[0]
    assert not out.exists()


def test_a_series_too_short_for_every_selection_window_is_backtested_on_those_it_has() -> None:
    """n_windows = 3 of 7 days after the 15 periods a first fit needs (season 7 + 1, and
    min_history 14): 36 days. A 25-day series has room for (25 - 15) // 7 = 1 window: it is
    chosen on that one (a MASE and a score per candidate), not given a default unscored."""
    rng = np.random.default_rng(5)
    week = np.array([5.0, 7, 9, 11, 13, 30, 2])
    long = np.resize(week, 60) + rng.normal(0, 1, 60)
    short = np.resize(week, 25) * 2 + rng.normal(0, 1, 25)
    history = _history({"LONG": list(long), "SHORT": list(short)})
    config = ForecastConfig(
        models=("seasonal_naive", "auto_ets"), n_windows=3, holiday_country=None
    )
    result = forecast(history, 7, freq="D", config=config)
    chosen = result.selection.set_index("sku")
    for sku in ("LONG", "SHORT"):
        assert np.isfinite(chosen.at[sku, "mase"]), sku
        assert (
            "seasonal_naive=" in chosen.at[sku, "scores"]
            and "auto_ets=" in chosen.at[sku, "scores"]
        )
    # 20 days: room for no window (20 < 15 + 7): no selection, the first non-naive candidate
    tiny = _history({"TINY": list(short[-20:]), "LONG": list(long)})
    tiny_choice = forecast(tiny, 7, freq="D", config=config).selection.set_index("sku")
    assert tiny_choice.at["TINY", "model"] == "auto_ets" and np.isnan(
        tiny_choice.at["TINY", "mase"]
    )
