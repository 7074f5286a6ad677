"""`supplycast allocate` end to end on small CSV files (issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from supplycast.cli import app


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_allocate_writes_shipments_and_summary(tmp_path):
    stock = write(tmp_path, "A.csv", "sku,location,available\nA,R,10\nB,R,10\n")
    needs = write(
        tmp_path, "N.csv", "sku,location,need,shortage_cost\nA,F1,4,10\nB,F1,4,4\nA,F2,3,1\n"
    )
    lanes = write(
        tmp_path,
        "L.csv",
        "origin,destination,cost_per_unit,capacity_units,transit_days\nR,F1,1,,1\nR,F2,2,,1\n",
    )
    capacity = write(tmp_path, "K.csv", "location,free_capacity_units\nF1,5\n")
    out, summary = tmp_path / "X.csv", tmp_path / "S.json"
    result = CliRunner().invoke(
        app,
        [
            "allocate",
            "--stock",
            str(stock),
            "--needs",
            str(needs),
            "--lanes",
            str(lanes),
            "--out",
            str(out),
            "--capacity",
            str(capacity),
            "--summary",
            str(summary),
        ],
    )
    assert result.exit_code == 0, result.output
    shipments = pd.read_csv(out)
    assert list(shipments.columns) == ["sku", "origin", "destination", "units"]
    # F1 takes 5 (A 4, B 1); F2's shortage (1/unit) is cheaper than its lane (2/unit)
    assert shipments.values.tolist() == [["A", "R", "F1", 4], ["B", "R", "F1", 1]]
    data = json.loads(summary.read_text())
    assert list(data) == [
        "status",
        "objective",
        "transport_cost",
        "shortage_units",
        "shortage_cost",
        "best_bound",
        "seconds",
    ]
    assert data["status"] == "optimal"
    assert data["objective"] == 5 + 3 * 4 + 3 * 1
    assert data["shortage_units"] == 6


def test_down_site_from_the_command_line(tmp_path):
    stock = write(tmp_path, "A.csv", "sku,location,available\nA,R1,10\nA,R2,10\n")
    needs = write(tmp_path, "N.csv", "sku,location,need,shortage_cost\nA,F1,4,10\n")
    lanes = write(
        tmp_path,
        "L.csv",
        "origin,destination,cost_per_unit,capacity_units\nR1,F1,1,\nR2,F1,2,\nR1,F2,1,\n",
    )
    locations = write(
        tmp_path,
        "LOC.csv",
        "location,name,kind,parent,backup,latitude,"
        "longitude,capacity_units\nR1,a,regional,,R2,0,0,\nR2,b,regional,,,0,0,\n"
        "F1,c,front,R1,,0,0,\nF2,d,front,R1,,0,0,\n",
    )
    out = tmp_path / "X.csv"
    result = CliRunner().invoke(
        app,
        [
            "allocate",
            "--stock",
            str(stock),
            "--needs",
            str(needs),
            "--lanes",
            str(lanes),
            "--out",
            str(out),
            "--locations",
            str(locations),
            "--down",
            "R1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).values.tolist() == [["A", "R2", "F1", 4]]
    assert "R2 has no lane to F2" in result.stderr


def test_bad_input_exits_non_zero_with_file_line_column_and_writes_nothing(tmp_path):
    stock = write(tmp_path, "A.csv", "sku,location,available\nA,R,10\nA,F1,-2\n")
    needs = write(tmp_path, "N.csv", "sku,location,need,shortage_cost\nA,F1,4,10\n")
    lanes = write(
        tmp_path, "L.csv", "origin,destination,cost_per_unit,capacity_units\nR,F1,1,\nR,F8,1,\n"
    )
    out = tmp_path / "X.csv"
    result = CliRunner().invoke(
        app,
        [
            "allocate",
            "--stock",
            str(stock),
            "--needs",
            str(needs),
            "--lanes",
            str(lanes),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"{stock}:3:available: must be a finite number >= 0, got -2"
    assert lines[1].startswith(f"{lanes}:3:destination: lane to unknown site 'F8'")
    assert len(lines) == 2
    assert not out.exists()
