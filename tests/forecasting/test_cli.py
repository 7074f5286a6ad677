"""`supplycast forecast` and `supplycast backtest`: files in, files out, clear errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from supplycast.cli import app
from tests.forecasting.helpers import (
    WEEK,
    forecast_cli,
    record_shrinkage,
    weekly_pattern_history,
)

runner = CliRunner()


def _write(tmp_path: Path, days: int = 42) -> Path:
    history = weekly_pattern_history(days=days, pairs=(("A", "L1"), ("B", "L2")))
    history["on_promo"] = 0.0
    path = tmp_path / "H.csv"
    history.to_csv(path, index=False)
    return path


def test_forecast_writes_f_csv(tmp_path: Path) -> None:
    h = _write(tmp_path)
    x = tmp_path / "X.csv"
    pd.DataFrame(
        [
            (s, loc, d.date(), 0.0)
            for s, loc in (("A", "L1"), ("B", "L2"))
            for d in pd.date_range("2024-02-12", periods=7)
        ],
        columns=["sku", "location", "date", "on_promo"],
    ).to_csv(x, index=False)
    out = tmp_path / "F.csv"
    result = runner.invoke(
        app,
        [
            "forecast",
            "--history",
            str(h),
            "--horizon",
            "7",
            "--out",
            str(out),
            "--future",
            str(x),
            "--quantiles",
            "0.05,0.5,0.95",
            "--models",
            "seasonal_naive",
            "--windows",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    f = pd.read_csv(out, dtype={"sku": str, "location": str})
    assert list(f.columns) == ["sku", "location", "date", "mean", "p05", "p50", "p95", "model"]
    assert len(f) == 14 and f["date"].iloc[0] == "2024-02-12"
    np.testing.assert_allclose(f.loc[f["sku"] == "A", "mean"], WEEK)
    np.testing.assert_allclose(f.loc[f["sku"] == "B", "mean"], 2 * WEEK)


def test_forecast_feature_missing_in_future_is_one_line_error(tmp_path: Path) -> None:
    h = _write(tmp_path)
    x = tmp_path / "X.csv"
    pd.DataFrame({"sku": ["A"], "location": ["L1"], "date": ["2024-02-12"]}).to_csv(x, index=False)
    out = tmp_path / "F.csv"
    result = runner.invoke(
        app,
        ["forecast", "--history", str(h), "--horizon", "7", "--out", str(out), "--future", str(x)],
    )
    assert result.exit_code == 2
    assert f"{x}: feature 'on_promo' has no column in the future frame" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_forecast_rejects_a_row_with_a_field_too_many_naming_its_line(tmp_path: Path) -> None:
    """On the first data row pandas would read one field too many as an index column and shift
    every column (sku <- location, location <- date, ...): an error instead, as on later rows,
    and the second row's unclosed quote names its line too."""
    out = tmp_path / "F.csv"
    cases = {
        "first.csv": ("sku,location,date,units\nA,L1,2024-01-01,3,9\n", "line 2: 5 fields"),
        "later.csv": (
            "sku,location,date,units\nA,L1,2024-01-01,3\nA,L1,2024-01-02,4,9\n",
            "line 3: 5 fields",
        ),
        "quote.csv": (
            'sku,location,date,units\nA,L1,2024-01-01,3\n"A,L1,2024-01-02,4\n',
            "line 3: 1 field ",
        ),
    }
    for name, (text, where) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = runner.invoke(
            app, ["forecast", "--history", str(path), "--horizon", "2", "--out", str(out)]
        )
        assert result.exit_code == 2
        assert f"{path}: cannot read CSV: {where}" in result.output
        assert not out.exists()


def test_forecast_rejects_unsorted_dates_with_line_numbers(tmp_path: Path) -> None:
    h = _write(tmp_path)
    frame = pd.read_csv(h)
    frame.iloc[[3, 4]] = frame.iloc[[4, 3]].to_numpy()
    frame.to_csv(h, index=False)
    result = runner.invoke(
        app, ["forecast", "--history", str(h), "--horizon", "7", "--out", str(tmp_path / "F.csv")]
    )
    assert result.exit_code == 2
    assert "H.csv line 6: dates out of order" in result.output


def test_backtest_writes_metrics(tmp_path: Path) -> None:
    h = _write(tmp_path, days=56)
    out = tmp_path / "M.csv"
    result = runner.invoke(
        app,
        [
            "backtest",
            "--history",
            str(h),
            "--horizon",
            "7",
            "--windows",
            "2",
            "--out",
            str(out),
            "--models",
            "seasonal_naive",
        ],
    )
    assert result.exit_code == 0, result.output
    m = pd.read_csv(out)
    overall = m[m["level"] == "overall"].set_index("role")
    assert set(overall.index) == {"chosen", "seasonal_naive", "auto_ets"}
    # a pure weekly pattern: seasonal naive is exact, so MASE, WAPE and bias are 0
    assert overall.loc["chosen", "mase"] == 0.0 and overall.loc["seasonal_naive", "wape"] == 0.0
    assert overall.loc["chosen", "coverage"] == 1.0
    assert len(m[(m["level"] == "series") & (m["role"] == "chosen")]) == 2


def test_forecast_cumulative_quantiles_flag_adds_cum_columns(tmp_path: Path) -> None:
    h = _write(tmp_path)
    out = tmp_path / "F.csv"
    args = ["forecast", "--history", str(h), "--horizon", "7", "--out", str(out)]
    args += ["--quantiles", "0.05,0.5,0.95", "--models", "seasonal_naive", "--windows", "2"]
    result = runner.invoke(app, [*args, "--cumulative-quantiles"])
    assert result.exit_code == 0, result.output
    f = pd.read_csv(out, dtype={"sku": str, "location": str})
    assert list(f.columns) == [
        "sku", "location", "date", "mean", "p05", "p50", "p95",
        "cum_p05", "cum_p50", "cum_p95", "model",
    ]  # fmt: skip
    # the weekly pattern repeats exactly: backtest errors are 0, so every cumulative
    # quantile is the running total of the point forecasts
    for sku, factor in (("A", 1.0), ("B", 2.0)):
        rows = f[f["sku"] == sku]
        for column in ("cum_p05", "cum_p50", "cum_p95"):
            np.testing.assert_allclose(rows[column], factor * np.cumsum(WEEK), rtol=1e-5)


def test_forecast_fit_budget_zero_leaves_out_per_series_ets(tmp_path: Path) -> None:
    h = _write(tmp_path, days=56)
    out, selection = tmp_path / "F.csv", tmp_path / "SEL.csv"
    args = ["forecast", "--history", str(h), "--horizon", "7", "--out", str(out)]
    args += ["--windows", "1", "--selection-out", str(selection), "--jobs", "1"]
    result = runner.invoke(app, [*args, "--fit-budget", "0"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 series" in result.output and "local_fit_budget" in result.output
    scores = pd.read_csv(selection)["scores"]
    assert not scores.str.contains("auto_ets").any()
    assert scores.str.contains("seasonal_naive").all()
    # without a bound both series try AutoETS, and no warning
    result = runner.invoke(app, [*args, "--fit-budget", "inf"])
    assert result.exit_code == 0, result.output
    assert "local_fit_budget" not in result.output
    assert pd.read_csv(selection)["scores"].str.contains("auto_ets").all()


def test_forecast_and_backtest_reject_bad_jobs_and_fit_budget(tmp_path: Path) -> None:
    h = _write(tmp_path)
    out = tmp_path / "F.csv"
    forecast_args = ["forecast", "--history", str(h), "--horizon", "7", "--out", str(out)]
    backtest_args = ["backtest", "--history", str(h), "--horizon", "7", "--windows", "1"]
    backtest_args += ["--out", str(out)]
    for args in (forecast_args, backtest_args):
        result = runner.invoke(app, [*args, "--jobs", "0"])
        assert result.exit_code == 2
        assert "--jobs: must be >= 1, got 0" in result.output
        result = runner.invoke(app, [*args, "--fit-budget", "-5"])
        assert result.exit_code == 2
        assert "--fit-budget: must be >= 0 core-seconds, got -5.0" in result.output
        result = runner.invoke(app, [*args, "--selection-shrinkage", "1.5"])
        assert result.exit_code == 2
        assert "--selection-shrinkage: must be within [0, 1], got 1.5" in result.output
    assert not out.exists()


def test_forecast_and_backtest_pass_selection_shrinkage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = record_shrinkage(monkeypatch)
    h = _write(tmp_path, days=56)
    out = tmp_path / "F.csv"
    common = ["--history", str(h), "--horizon", "7", "--out", str(out), "--jobs", "1"]
    common += ["--models", "seasonal_naive,auto_ets"]
    for command in (["forecast", "--windows", "2"], ["backtest", "--windows", "1"]):
        for option, expected in (([], {0.5}), (["--selection-shrinkage", "0.8"], {0.8})):
            seen.clear()
            result = runner.invoke(app, [*command, *common, *option])
            assert result.exit_code == 0, result.output
            assert set(seen) == expected
        seen.clear()
        result = runner.invoke(app, [*command, *common, "--selection-shrinkage", "0"])
        assert result.exit_code == 0, result.output
        assert seen == []  # 0: the per-series choice, no pooling


def test_forecast_writes_large_volumes_without_exponents(tmp_path: Path) -> None:
    history = weekly_pattern_history(days=42)
    history["units"] = history["units"] * 1e8 + 12_345.678  # 5e8 .. 3e9 units a day
    path, out = tmp_path / "H.csv", tmp_path / "F.csv"
    history.to_csv(path, index=False)
    result = runner.invoke(
        app, forecast_cli(path, out, 7, "--models", "seasonal_naive", "--windows", "1")
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "e+" not in text
    f = pd.read_csv(out)
    # a week back, exactly (the pattern repeats): 5e8 + 12,345.678 on the first Monday
    assert f["mean"].iloc[0] == pytest.approx(WEEK[0] * 1e8 + 12_345.678, abs=1e-3)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_or_tab_separated_history_with_spaced_header(
    tmp_path: Path, separator: str
) -> None:
    """A spreadsheet's ';' (or tab) separated export with spaces around the names, and ids
    such as '007' kept as text, gives the forecasts of the plain comma file."""
    history = weekly_pattern_history(days=42, pairs=(("007", "L1"), ("B", "L2")))
    plain, spaced = tmp_path / "H.csv", tmp_path / "H2.csv"
    history.to_csv(plain, index=False)
    history.rename(columns=lambda c: f" {c} ").to_csv(spaced, index=False, sep=separator)
    outputs = []
    for path in (plain, spaced):
        out = tmp_path / f"F-{path.stem}.csv"
        args = forecast_cli(path, out, 7, "--models", "seasonal_naive", "--windows", "1")
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        outputs.append(pd.read_csv(out, dtype={"sku": str, "location": str}))
    pd.testing.assert_frame_equal(outputs[1], outputs[0])
    assert set(outputs[1]["sku"]) == {"007", "B"}


def test_missing_columns_are_named_with_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "H.csv"
    path.write_text("SKU,Location,Date,Units\nA,L,2024-01-01,1\n")
    result = runner.invoke(app, forecast_cli(path, tmp_path / "F", 2))
    assert result.exit_code != 0
    assert (
        f"{path}: missing columns 'sku', 'location', 'date', 'units' (the columns are 'SKU',"
        " 'Location', 'Date', 'Units')" in result.output
    )
