"""`supplycast route --stops ... --vehicles ... --depot ...` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from supplycast.cli import app

STOPS = """stop,latitude,longitude,demand_units,window_start,window_end,service_minutes
a,52.01,4.0,1,08:00,12:00,5
b,52.02,4.01,2,08:00,12:00,5
c,52.0,4.02,3,09:00,10:00,5
d,52.03,4.0,4,10:00,09:00,5
"""
VEHICLES = """vehicle,capacity_units,shift_start,shift_end,fixed_cost
v1,10,08:00,17:00,0
"""
LOCATIONS = """location,name,kind,parent,backup,latitude,longitude,capacity_units
W,Warehouse,regional,,,52.0,4.0,1000
"""


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    stops, vehicles, locs = tmp_path / "s.csv", tmp_path / "v.csv", tmp_path / "loc.csv"
    stops.write_text(STOPS)
    vehicles.write_text(VEHICLES)
    locs.write_text(LOCATIONS)
    return stops, vehicles, locs


def test_routes_csv_unserved_and_geojson(tmp_path: Path) -> None:
    stops, vehicles, locs = _files(tmp_path)
    out, geo = tmp_path / "routes.csv", tmp_path / "routes.geojson"
    result = CliRunner().invoke(
        app,
        [
            "route",
            "--stops",
            str(stops),
            "--vehicles",
            str(vehicles),
            "--depot",
            "W",
            "--locations",
            str(locs),
            "--out",
            str(out),
            "--geojson",
            str(geo),
            "--time-limit",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    legs = pd.read_csv(out)
    assert list(legs.columns) == [
        "vehicle",
        "sequence",
        "stop",
        "arrival",
        "departure",
        "load_after",
        "distance_km",
    ]
    assert set(legs["stop"]) == {"W", "a", "b", "c"}
    unserved = pd.read_csv(tmp_path / "routes.unserved.csv")
    assert unserved["stop"].tolist() == ["d"]
    assert "unserved d: window ends (09:00) before it starts (10:00)" in result.output
    assert json.loads(geo.read_text())["type"] == "FeatureCollection"


def test_unknown_depot_and_bad_rows_exit_with_one_line_each(tmp_path: Path) -> None:
    stops, vehicles, locs = _files(tmp_path)
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "route",
            "--stops",
            str(stops),
            "--vehicles",
            str(vehicles),
            "--depot",
            "NOPE",
            "--locations",
            str(locs),
            "--out",
            str(tmp_path / "r.csv"),
        ],
    )
    assert result.exit_code == 1
    assert "unknown depot 'NOPE'" in result.output
    stops.write_text(
        STOPS.replace("a,52.01,4.0,1,", "a,52.01,4.0,one,").replace("09:00,10:00", "9h,10:00")
    )
    result = runner.invoke(
        app,
        [
            "route",
            "--stops",
            str(stops),
            "--vehicles",
            str(vehicles),
            "--depot",
            "W",
            "--depot-lat",
            "52",
            "--depot-lon",
            "4",
            "--out",
            str(tmp_path / "r.csv"),
        ],
    )
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {stops}: line 2, column demand_units: not a whole number >= 0: 'one'",
        f"error: {stops}: line 4, column window_start: not a time (HH:MM or minutes): '9h'",
    ]
    assert not (tmp_path / "r.csv").exists()
