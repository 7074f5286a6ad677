"""`supplycast replenish` end to end on small CSV files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from replenishment import SUGGESTION_COLUMNS
from supplycast.cli import app


def write_inputs(tmp_path: Path, service_level: str = "0.95", inv_sku: str = "A") -> dict[str, Path]:
    paths = {k: tmp_path / f"{k}.csv" for k in ("F", "I", "P")}
    dates = pd.date_range("2024-01-01", periods=14).strftime("%Y-%m-%d")
    pd.DataFrame({"sku": "A", "location": "001", "date": dates, "mean": 10.0, "p10": 6.0, "p50": 10.0,
                  "p90": 14.0, "model": "AutoETS"}).to_csv(paths["F"], index=False)
    paths["I"].write_text(f"sku,location,on_hand,on_order\n{inv_sku},001,20,5\n")
    paths["P"].write_text(
        "sku,location,lead_time_days,review_period_days,service_level,pack_size,moq\n"
        f"A,001,3,7,{service_level},6,12\n"
    )
    return paths


def test_replenish_writes_s_csv(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path)
    out = tmp_path / "S.csv"
    result = CliRunner().invoke(app, ["replenish", "--forecasts", str(paths["F"]), "--inventory", str(paths["I"]),
                                      "--policy", str(paths["P"]), "--out", str(out), "--date", "2024-01-01"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype={"location": str})
    assert list(frame.columns) == SUGGESTION_COLUMNS
    assert frame.loc[0, "location"] == "001"  # leading zeros kept
    assert frame.loc[0, "demand_over_protection"] == 100.0
    assert frame.loc[0, "order_qty"] % 6 == 0 and frame.loc[0, "order_qty"] >= 75


def test_replenish_bad_input_names_file_and_row(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path, service_level="1.5", inv_sku="B")
    result = CliRunner().invoke(app, ["replenish", "--forecasts", str(paths["F"]), "--inventory", str(paths["I"]),
                                      "--policy", str(paths["P"]), "--out", str(tmp_path / "S.csv")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"{paths['P']} row 1 (line 2) (sku=A, location=001): service_level must be strictly between 0 and 1"]
    assert not (tmp_path / "S.csv").exists()
    paths["P"].write_text(paths["P"].read_text().replace("1.5", "0.9"))
    result = CliRunner().invoke(app, ["replenish", "--forecasts", str(paths["F"]), "--inventory", str(paths["I"]),
                                      "--policy", str(paths["P"]), "--out", str(tmp_path / "S.csv")])
    assert result.exit_code == 1
    assert "unknown sku/location" in result.stderr and str(paths["I"]) in result.stderr
    assert "Traceback" not in result.output
