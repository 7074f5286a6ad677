"""`supplycast replenish` end to end on small CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import Result
from typer.testing import CliRunner

from forecasting import ForecastConfig
from replenishment import SUGGESTION_COLUMNS
from supplycast.cli import app


def write_inputs(
    tmp_path: Path, service_level: str = "0.95", inv_sku: str = "A"
) -> dict[str, Path]:
    paths = {k: tmp_path / f"{k}.csv" for k in ("F", "I", "P")}
    dates = pd.date_range("2024-01-01", periods=14).strftime("%Y-%m-%d")
    pd.DataFrame(
        {
            "sku": "A",
            "location": "001",
            "date": dates,
            "mean": 10.0,
            "p10": 6.0,
            "p50": 10.0,
            "p90": 14.0,
            "model": "AutoETS",
        }
    ).to_csv(paths["F"], index=False)
    paths["I"].write_text(f"sku,location,on_hand,on_order\n{inv_sku},001,20,5\n")
    paths["P"].write_text(
        "sku,location,lead_time_days,review_period_days,service_level,pack_size,moq\n"
        f"A,001,3,7,{service_level},6,12\n"
    )
    return paths


def invoke_replenish(paths: dict[str, Path], out: Path, *extra: str) -> Result:
    """`supplycast replenish` on the F/I/P files of write_inputs, writing `out`."""
    args = ["--forecasts", str(paths["F"]), "--inventory", str(paths["I"])]
    args += ["--policy", str(paths["P"]), "--out", str(out), *extra]
    return CliRunner().invoke(app, ["replenish", *args])


def test_replenish_writes_s_csv(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path)
    out = tmp_path / "S.csv"
    result = invoke_replenish(paths, out, "--date", "2024-01-01")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype={"location": str})
    assert list(frame.columns) == SUGGESTION_COLUMNS
    assert frame.loc[0, "location"] == "001"  # leading zeros kept
    assert frame.loc[0, "demand_over_protection"] == 100.0
    assert frame.loc[0, "order_qty"] % 6 == 0 and frame.loc[0, "order_qty"] >= 75


def test_replenish_bad_input_names_file_and_row(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path, service_level="1.5", inv_sku="B")
    result = invoke_replenish(paths, tmp_path / "S.csv")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{paths['P']} row 1 (line 2) (sku=A, location=001): "
        "service_level must be strictly between 0 and 1"
    ]
    assert not (tmp_path / "S.csv").exists()
    paths["P"].write_text(paths["P"].read_text().replace("1.5", "0.9"))
    result = invoke_replenish(paths, tmp_path / "S.csv")
    assert result.exit_code == 1
    assert "unknown sku/location" in result.stderr and str(paths["I"]) in result.stderr
    assert "Traceback" not in result.output


def test_simulate_cli_writes_trace_and_summary(tmp_path: Path) -> None:
    dates = pd.date_range("2023-01-01", periods=70).strftime("%Y-%m-%d")
    pd.DataFrame({"sku": "A", "location": "L1", "date": dates, "units": 10.0}).to_csv(
        tmp_path / "H.csv", index=False
    )
    (tmp_path / "P.csv").write_text(
        "sku,location,lead_time_days,review_period_days,service_level\nA,L1,2,7,0.95\n"
    )
    args = [
        "simulate",
        "--history",
        str(tmp_path / "H.csv"),
        "--policy",
        str(tmp_path / "P.csv"),
        "--start",
        "2023-02-26",
        "--out",
        str(tmp_path / "T.csv"),
        "--summary",
        str(tmp_path / "SUM.csv"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    trace = pd.read_csv(tmp_path / "T.csv")
    assert len(trace) == 14 and trace["demand"].eq(10).all()
    summary = pd.read_csv(tmp_path / "SUM.csv").set_index("sku")
    assert summary.loc["ALL", "fill_rate"] == 1.0  # constant demand is forecast exactly
    assert summary.loc["ALL", "orders"] == 1  # reviews on days 0 (position = S, no order) and 7


def test_simulate_cli_rejects_bad_policy(tmp_path: Path) -> None:
    (tmp_path / "H.csv").write_text("sku,location,date,units\nA,L1,2023-01-01,3\n")
    (tmp_path / "P.csv").write_text(
        "sku,location,lead_time_days,review_period_days,service_level\nA,L1,-2,7,0.95\n"
    )
    args = [
        "simulate",
        "--history",
        str(tmp_path / "H.csv"),
        "--policy",
        str(tmp_path / "P.csv"),
        "--start",
        "2023-01-01",
        "--out",
        str(tmp_path / "T.csv"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"{tmp_path / 'P.csv'} row 1 (line 2) (sku=A, location=L1): lead_time_days must be >= 0"
    )


@pytest.mark.parametrize(
    ("policy_key", "start"),
    [("A,L1", "2023-01-01"), ("B,L1", "2023-01-05")],  # start on the first day; unknown key
)
def test_simulate_cli_says_when_no_history_precedes_a_review(
    tmp_path: Path, policy_key: str, start: str
) -> None:
    rows = "".join(f"A,L1,2023-01-{d:02d},3\n" for d in range(1, 11))
    (tmp_path / "H.csv").write_text("sku,location,date,units\n" + rows)
    (tmp_path / "P.csv").write_text(
        f"sku,location,lead_time_days,review_period_days,service_level\n{policy_key},1,1,0.95\n"
    )
    args = ["simulate", "--history", str(tmp_path / "H.csv"), "--policy", str(tmp_path / "P.csv")]
    args += ["--start", start, "--out", str(tmp_path / "T.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    sku = policy_key.split(",")[0]
    assert result.stderr.strip() == (
        f"{tmp_path / 'H.csv'}: no rows before {start} for the policy's sku/location {sku}/L1;"
        " each review day forecasts from the days before it (start later, or check the"
        " policy's keys)"
    )
    assert not (tmp_path / "T.csv").exists()


def test_simulate_forecaster_calibrates_on_three_backtest_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import forecasting
    from supplycast.commands import replenish

    seen: dict[str, Any] = {}

    def fake_forecast(history: pd.DataFrame, horizon: int, **kwargs: Any) -> None:
        seen["config"], seen["horizon"] = kwargs["config"], horizon
        seen["cumulative"] = kwargs.get("cumulative_quantiles")
        raise RuntimeError("stop")

    monkeypatch.setattr(forecasting, "forecast", fake_forecast)
    past = pd.DataFrame({"sku": "A", "location": "L1", "date": ["2024-01-01"], "units": [1.0]})
    future = pd.DataFrame(
        {"sku": "A", "location": "L1", "date": pd.date_range("2024-01-02", periods=9)}
    )
    for fast in (True, False):
        try:
            replenish.forecasting_forecaster("D", fast=fast)(past, future)
        except RuntimeError:
            pass
        assert seen["config"].n_windows == replenish.SIMULATE_BACKTEST_WINDOWS == 3
        assert seen["horizon"] == 9
        assert seen["cumulative"] is True  # the engine reads protection-interval spreads
    assert seen["config"].models is None  # --full keeps the full candidate set
    try:
        replenish.forecasting_forecaster("D", n_windows=None)(past, future)
    except RuntimeError:
        pass
    assert seen["config"].n_windows == 1  # ForecastConfig.fast()'s own
    try:
        replenish.forecasting_forecaster("D", models=("seasonal_naive", "lightgbm"))(past, future)
    except RuntimeError:
        pass
    assert seen["config"].models == ("seasonal_naive", "lightgbm")
    assert seen["config"].n_windows == replenish.SIMULATE_BACKTEST_WINDOWS
    # the fast set without features; with a feature column (known for the horizon) on daily
    # data it also tries the global model, the one that uses it; weekly / monthly data,
    # --full and named models are left alone
    fast_models = ForecastConfig.fast().models
    assert fast_models is not None and "lightgbm" not in fast_models
    with_feature = past.assign(temperature_c=20.0), future.assign(temperature_c=21.0)
    for frames, freq, fast, models, expected in (
        ((past, future), "D", True, None, fast_models),
        (with_feature, "D", True, None, (*fast_models, "lightgbm")),
        (with_feature, "M", True, None, fast_models),
        (with_feature, "W", True, None, fast_models),
        (with_feature, "D", False, None, None),
        (with_feature, "D", True, ("auto_ets",), ("auto_ets",)),
    ):
        try:
            replenish.forecasting_forecaster(freq, fast=fast, models=models)(*frames)
        except RuntimeError:
            pass
        assert seen["config"].models == expected


def test_simulate_cli_reads_a_file_of_sale_days_only_as_daily(tmp_path: Path) -> None:
    """A daily file listing only the days with sales (rows 1-3 days apart, on every weekday)
    is daily, as `supplycast forecast` reads it: every calendar day is simulated, days
    without a row sell 0. It was read as weekly and refused ("weekly dates must all fall on
    the same weekday")."""
    days = pd.date_range("2023-01-01", periods=90)
    sold = days[(days.dayofyear % 3 == 0) | (days.dayofyear % 7 == 1)]  # 40 days, any weekday
    history = {"sku": "A", "location": "L1", "date": sold.strftime("%Y-%m-%d"), "units": 6.0}
    pd.DataFrame(history).to_csv(tmp_path / "H.csv", index=False)
    (tmp_path / "P.csv").write_text(
        "sku,location,lead_time_days,review_period_days,service_level\nA,L1,2,7,0.95\n"
    )
    args = ["simulate", "--history", str(tmp_path / "H.csv"), "--policy", str(tmp_path / "P.csv")]
    args += ["--start", "2023-03-01", "--out", str(tmp_path / "T.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "fall on different weekdays: forecasting days" in result.stderr
    trace = pd.read_csv(tmp_path / "T.csv", parse_dates=["date"])
    # every day from 2023-03-01 to the last sale day, 6 units on the listed days, else 0
    expected = pd.date_range("2023-03-01", sold[-1])
    assert trace["date"].tolist() == expected.tolist()
    assert trace["demand"].tolist() == [6.0 if d in sold else 0.0 for d in expected]
