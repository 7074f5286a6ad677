"""Every kind imports and loads back unchanged on SQLite and PostgreSQL; re-import is a no-op."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.frames import load_frame
from storage.importing import KINDS, ImportValidationError, import_directory, import_kind
from tests.storage.files import VALID_FILES, write_files

NaN = np.nan
D = pd.Timestamp

EXPECTED: dict[str, pd.DataFrame] = {
    "items": pd.DataFrame(
        {
            "sku": ["A", "B"],
            "name": ["Apple juice", "Bolts, M6"],
            "category": ["beverages", "hardware"],
            "unit_cost": [1.2, 0.1],
            "unit_price": [2.5, 0.3],
            "pack_size": [6, 100],
            "moq": [12, 0],
            "shelf_life_days": pd.array([30, None], dtype="Int64"),
        }
    ),
    "locations": pd.DataFrame(
        {
            "location": ["F1", "F2", "R1"],
            "name": ["Front one", "Front two", "Regional one"],
            "kind": ["front", "front", "regional"],
            "parent": ["R1", "R1", None],
            "backup": ["F2", "F1", None],
            "latitude": [52.52, 52.50, 52.40],
            "longitude": [13.40, 13.45, 13.10],
            "capacity_units": [1000.0, NaN, 50000.0],
        }
    ),
    "lanes": pd.DataFrame(
        {
            "origin": ["R1", "R1"],
            "destination": ["F1", "F2"],
            "transit_days": [1.0, 2.0],
            "cost_per_unit": [0.05, 0.06],
            "capacity_units_per_day": [500.0, NaN],
        }
    ),
    "suppliers": pd.DataFrame({"supplier": ["S1"], "name": ["Supplier one"]}),
    "supply": pd.DataFrame(
        {
            "supplier": ["S1", "S1"],
            "sku": ["A", "B"],
            "location": ["R1", "R1"],
            "lead_time_days": [7.0, 14.0],
            "lead_time_std_days": [1.5, 0.0],
            "order_days": ["Mon,Thu", None],  # tokens normalized to week order
        }
    ),
    "sales": pd.DataFrame(
        {
            "sku": ["A", "A", "B"],
            "location": ["F1", "F1", "F2"],
            "date": [D("2026-01-01"), D("2026-01-02"), D("2026-01-01")],
            "units": [5.0, -1.0, 0.5],
        }
    ),
    "weather": pd.DataFrame(
        {
            "location": ["F1", "F1"],
            "date": [D("2026-01-01"), D("2026-01-02")],
            "temperature_c": [-3.5, NaN],
            "precipitation_mm": [0.0, NaN],
            "kind": ["observed", "forecast"],
        }
    ),
    "promotions": pd.DataFrame(
        {
            "sku": ["A", "A"],
            "location": [None, "F1"],
            "start_date": [D("2026-02-01"), D("2026-02-01")],
            "end_date": [D("2026-02-07"), D("2026-02-03")],
            "discount_pct": [20.0, 25.0],
        }
    ),
    "inventory": pd.DataFrame(
        {
            "sku": ["A", "B"],
            "location": ["F1", "R1"],
            "on_hand": [40.0, 1000.0],
            "as_of": [D("2026-01-02"), D("2026-01-02")],
        }
    ),
    "purchase_orders": pd.DataFrame(
        {
            "order_id": ["B|R1|2026-01-16", "PO-1"],
            "sku": ["B", "A"],
            "location": ["R1", "R1"],
            "units": [500.0, 120.0],
            "expected_date": [D("2026-01-16"), D("2026-01-09")],
        }
    ),
}


def _load_all(engine: Engine) -> dict[str, pd.DataFrame]:
    return {kind: load_frame(engine, kind) for kind in KINDS}


def test_every_kind_round_trips(engine: Engine, tmp_path: Path) -> None:
    report = import_directory(engine, write_files(tmp_path / "in", VALID_FILES))
    assert list(report.rows_by_kind) == list(KINDS)  # dependency order
    assert report.rows_by_kind["sales"] == 3 and report.total_rows == 21
    loaded = _load_all(engine)
    for kind in KINDS:
        pd.testing.assert_frame_equal(loaded[kind], EXPECTED[kind], obj=kind)


def test_importing_the_same_files_twice_leaves_the_same_data(
    engine: Engine, tmp_path: Path
) -> None:
    folder = write_files(tmp_path / "in", VALID_FILES)
    import_directory(engine, folder)
    first = _load_all(engine)
    import_directory(engine, folder)
    second = _load_all(engine)
    for kind in KINDS:
        pd.testing.assert_frame_equal(second[kind], first[kind])


def test_reimport_updates_rows_on_the_natural_key(engine: Engine, tmp_path: Path) -> None:
    import_directory(engine, write_files(tmp_path / "in", VALID_FILES))
    changed = tmp_path / "sales_fix.csv"
    changed.write_text("sku,location,date,units\nA,F1,2026-01-02,3\nB,F1,2026-01-03,1\n")
    report = import_kind(engine, "sales", changed)
    assert report.rows_by_kind == {"sales": 2}
    sales = load_frame(engine, "sales")
    assert sales[["sku", "location", "units"]].values.tolist() == [
        ["A", "F1", 5.0],
        ["A", "F1", 3.0],  # updated from -1
        ["B", "F1", 1.0],  # new
        ["B", "F2", 0.5],  # untouched: rows absent from a file are kept
    ]


def test_load_frame_filters(engine: Engine, tmp_path: Path) -> None:
    import_directory(engine, write_files(tmp_path / "in", VALID_FILES))
    january_2 = load_frame(engine, "sales", date__ge=dt.date(2026, 1, 2))
    assert january_2["units"].tolist() == [-1.0]
    by_list = load_frame(engine, "sales", location=["F2", "R1"])
    assert by_list["sku"].tolist() == ["B"]
    by_timestamp = load_frame(engine, "sales", date=pd.Timestamp("2026-01-01"), sku="A")
    assert by_timestamp["units"].tolist() == [5.0]
    with pytest.raises(ValueError, match="no column 'colour'"):
        load_frame(engine, "sales", colour="red")
    with Session(engine) as session:  # a session (inside its transaction) works the same
        pd.testing.assert_frame_equal(load_frame(session, "items"), EXPECTED["items"])
    with engine.connect() as connection:
        pd.testing.assert_frame_equal(
            load_frame(connection, "lanes", destination__ne="F1"),
            EXPECTED["lanes"].iloc[[1]].reset_index(drop=True),
        )


def test_sales_of_a_new_sku_in_the_same_batch_are_accepted(engine: Engine, tmp_path: Path) -> None:
    import_directory(engine, write_files(tmp_path / "base", VALID_FILES))
    batch = {
        "items": "sku,name,category,unit_cost,unit_price\nC,Cola,beverages,0.5,1\n",
        "sales": "sku,location,date,units\nC,F1,2026-01-05,7\n",
    }
    report = import_directory(engine, write_files(tmp_path / "batch", batch))
    assert report.rows_by_kind == {"items": 1, "sales": 1}
    items = load_frame(engine, "items", sku="C")
    assert items[["pack_size", "moq"]].values.tolist() == [[1, 0]]  # documented defaults
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sales")).scalar_one() == 4


def test_import_from_an_uploaded_file_object(engine: Engine) -> None:
    upload = io.BytesIO(b"supplier,name\nS7,Seven\n")
    report = import_kind(engine, "suppliers", upload)
    assert report.rows_by_kind == {"suppliers": 1}
    assert load_frame(engine, "suppliers")["supplier"].tolist() == ["S7"]
    bad = io.BytesIO(b"supplier,name\nS8,\n")
    with pytest.raises(ImportValidationError) as caught:
        import_kind(engine, "suppliers", bad)
    assert [str(p) for p in caught.value.problems] == ["suppliers.csv:2:name: a value is required"]


def test_import_into_a_database_without_tables_says_to_migrate(tmp_path: Path) -> None:
    from storage.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(ImportValidationError) as caught:
            import_kind(engine, "suppliers", io.BytesIO(b"supplier,name\nS1,One\n"))
    finally:
        engine.dispose()
    assert "table suppliers does not exist: run `supplycast db upgrade` first" in str(
        caught.value.problems[0]
    )


def test_text_with_quotes_line_breaks_and_backslash_n_round_trips(
    engine: Engine, tmp_path: Path
) -> None:
    odd_names = ['He said "hi", then\nleft', "\\N", "tab\there", "ünïcode ✓"]
    lines = ["supplier,name"]
    for number, name in enumerate(odd_names):
        escaped = name.replace('"', '""')
        lines.append(f'S{number},"{escaped}"')
    path = tmp_path / "suppliers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_kind(engine, "suppliers", path)  # into an empty table (direct COPY on PostgreSQL)
    import_kind(engine, "suppliers", path)  # again (staging table + upsert)
    loaded = load_frame(engine, "suppliers")
    assert loaded["name"].tolist() == odd_names
