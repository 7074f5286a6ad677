"""Every validation rule with a bad file: the exact `file:line:column: message` list, and
nothing written (on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.importing import (
    KINDS,
    ImportValidationError,
    Problem,
    import_directory,
    import_kind,
)
from tests.storage.files import BASE_KINDS, VALID_FILES, write_files

ITEMS_HEADER = "sku,name,category,unit_cost,unit_price,pack_size,moq,shelf_life_days\n"
LOCATIONS_HEADER = "location,name,kind,parent,backup,latitude,longitude,capacity_units\n"
SUPPLY_HEADER = "supplier,sku,location,lead_time_days,lead_time_std_days,order_days\n"

# (kind, file text, expected problems as "line:column: message" without the file name).
# Every file also holds at least one valid row that must not be written.
CASES: dict[str, tuple[str, str, list[str]]] = {
    "missing required column": (
        "items",
        "sku,name,category,unit_cost\nC,Cola,beverages,0.5\n",
        ["1:unit_price: required column is missing"],
    ),
    "unknown column": (
        "suppliers",
        "supplier,name,colour\nS2,Two,red\n",
        ["1:colour: unknown column for suppliers (expected: supplier, name)"],
    ),
    "blank required value": (
        "items",
        ITEMS_HEADER + "C,,beverages,0.5,1,1,0,\nD,Dew,beverages,0.5,1,1,0,\n",
        ["2:name: a value is required"],
    ),
    "negative money and bad whole numbers": (
        "items",
        ITEMS_HEADER + "C,Cola,beverages,-1,1,0,2.5,0\n" + "D,Dew,beverages,0.5,1,1,0,\n",
        [
            "2:unit_cost: must be >= 0, got -1",
            "2:pack_size: must be >= 1, got 0",
            "2:moq: not a whole number: '2.5'",
            "2:shelf_life_days: must be >= 1, got 0",
        ],
    ),
    "not a number, NaN and infinity": (
        "items",
        ITEMS_HEADER + "C,Cola,beverages,abc,NaN,1,0,\n" + "D,Dew,beverages,inf,1,1,0,\n",
        [
            "2:unit_cost: not a number: 'abc'",
            "2:unit_price: NaN is not allowed",
            "3:unit_cost: must be a finite number",
        ],
    ),
    "duplicate natural key": (
        "items",
        ITEMS_HEADER
        + "C,Cola,beverages,0.5,1,1,0,\n"
        + "D,Dew,beverages,0.5,1,1,0,\n"
        + "C,Cola again,beverages,0.5,1,1,0,\n",
        ["4:sku: duplicate key, same as line 2"],
    ),
    "enum": (
        "locations",
        LOCATIONS_HEADER + "S1,Store,store,,,52.5,13.4,\nR2,Regional two,regional,,,52,13,\n",
        ["2:kind: must be one of regional, front, got 'store'"],
    ),
    "front location without a parent": (
        "locations",
        LOCATIONS_HEADER + "F3,Front three,front,,,52.5,13.4,\nR2,Two,regional,,,52,13,\n",
        ["2:parent: a front location needs a regional parent"],
    ),
    "front parent that is not regional, regional with a parent": (
        "locations",
        LOCATIONS_HEADER
        + "F3,Front three,front,F1,,52.5,13.4,\n"
        + "R2,Regional two,regional,R1,,52,13,\n",
        [
            "2:parent: parent 'F1' is not a regional location",
            "3:parent: a regional location has no parent",
        ],
    ),
    "a regional parent of stored front locations turned front": (
        "locations",
        LOCATIONS_HEADER
        + "R1,Regional one,front,R2,,52.4,13.1,\n"
        + "R2,Regional two,regional,,,52,13,\n",
        ["2:kind: 'R1' is the parent of F1, F2; it must stay regional"],
    ),
    "unknown and self backup, coordinates out of range": (
        "locations",
        LOCATIONS_HEADER
        + "F3,Front three,front,R1,ZZ,95,13.4,\n"
        + "F4,Front four,front,R1,F4,52,-181,-5\n",
        [
            "2:backup: unknown location 'ZZ'",
            "2:latitude: must be <= 90, got 95",
            "3:backup: a location cannot be its own backup",
            "3:longitude: must be >= -180, got -181",
            "3:capacity_units: must be >= 0, got -5",
        ],
    ),
    "lane to itself, unknown origin": (
        "lanes",
        "origin,destination,transit_days,cost_per_unit,capacity_units_per_day\n"
        "R1,R1,1,0.1,\nXX,F1,1,0.1,\nR1,F2,1,0.1,\n",
        [
            "2:destination: origin and destination are the same location",
            "3:origin: unknown location 'XX'",
        ],
    ),
    "order day tokens, supply to a front location, unknown supplier": (
        "supply",
        SUPPLY_HEADER
        + 'S1,A,R1,7,1,"Mon,Funday"\n'
        + "S1,B,F1,7,1,\n"
        + "S9,B,R1,7,1,Tue\n"
        + "S1,B,R1,7,,Sat\n",
        [
            "2:order_days: unknown weekday 'Funday' (use Mon,Tue,Wed,Thu,Fri,Sat,Sun)",
            "3:location: suppliers deliver to regional warehouses; 'F1' is not regional",
            "4:supplier: unknown supplier 'S9'",
        ],
    ),
    "sales dates, NaN units, unknown references, duplicates": (
        "sales",
        "sku,location,date,units\n"
        "A,F1,2026-02-30,1\n"
        "A,F1,01/02/2026,1\n"
        "A,F1,2026-01-01,nan\n"
        "Z,F1,2026-01-01,2\n"
        "A,F9,2026-01-01,2\n"
        "A,F1,2026-01-01,3\n"
        "A,F1,2026-01-01,4\n",
        [
            "2:date: not an ISO date (YYYY-MM-DD): '2026-02-30'",
            "3:date: not an ISO date (YYYY-MM-DD): '01/02/2026'",
            "4:units: NaN is not allowed",
            "5:sku: unknown sku 'Z'",
            "6:location: unknown location 'F9'",
            "7:sku,location,date: duplicate key, same as line 4",
            "8:sku,location,date: duplicate key, same as line 4",
        ],
    ),
    "weather kind and negative precipitation": (
        "weather",
        "location,date,temperature_c,precipitation_mm,kind\n"
        "F1,2026-01-01,5,-1,observed\n"
        "F1,2026-01-02,5,1,predicted\n"
        "F1,2026-01-03,5,1,forecast\n",
        [
            "2:precipitation_mm: must be >= 0, got -1",
            "3:kind: must be one of observed, forecast, got 'predicted'",
        ],
    ),
    "promotion ending before it starts, discount over 100 percent": (
        "promotions",
        "sku,location,start_date,end_date,discount_pct\n"
        "A,,2026-02-07,2026-02-01,20\n"
        "A,F1,2026-02-01,2026-02-03,150\n"
        "B,,2026-02-01,2026-02-03,10\n",
        [
            "2:end_date: end_date is before start_date",
            "3:discount_pct: must be <= 100, got 150",
        ],
    ),
    "negative stock on hand": (
        "inventory",
        "sku,location,on_hand,as_of\nA,F1,-3,2026-01-02\nB,F1,3,2026-01-02\n",
        ["2:on_hand: must be >= 0, got -3"],
    ),
    "order of zero units, duplicate derived order key": (
        "purchase_orders",
        "order_id,sku,location,units,expected_date\n"
        "PO-9,A,R1,0,2026-01-09\n"
        ",B,R1,5,2026-01-16\n"
        ",B,R1,7,2026-01-16\n",
        [
            "2:units: must be > 0, got 0",
            "4:order_id: duplicate key, same as line 3",
        ],
    ),
    "wrong number of fields": (
        "suppliers",
        "supplier,name\nS2,Two,extra\nS3,Three\n",
        ["2: expected 2 fields, found 3"],
    ),
    "line numbers count quoted line breaks": (
        "suppliers",
        'supplier,name\nS2,"Two\nlines"\nS3,\n',
        ["4:name: a value is required"],
    ),
}


def _count(engine: Engine, kind: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {kind}")).scalar_one()


@pytest.fixture
def based_engine(engine: Engine, tmp_path: Path) -> Engine:
    """The migrated database holding the valid items, locations and suppliers."""
    import_directory(
        engine, write_files(tmp_path / "base", {k: VALID_FILES[k] for k in BASE_KINDS})
    )
    return engine


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_reports_every_problem_and_writes_nothing(
    based_engine: Engine, tmp_path: Path, case: str
) -> None:
    kind, content, expected = CASES[case]
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = {k: _count(based_engine, k) for k in KINDS}
    with pytest.raises(ImportValidationError) as caught:
        import_kind(based_engine, kind, path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:{e}" for e in expected]
    assert {k: _count(based_engine, k) for k in KINDS} == before


def test_one_bad_file_in_a_directory_blocks_the_whole_batch(engine: Engine, tmp_path: Path) -> None:
    files = dict(VALID_FILES)
    files["inventory"] = "sku,location,on_hand,as_of\nA,F1,4,2026-01-2\n"
    folder = write_files(tmp_path / "in", files)
    with pytest.raises(ImportValidationError) as caught:
        import_directory(engine, folder)
    assert caught.value.problems == [
        Problem(
            str(folder / "inventory.csv"), 2, "as_of", "not an ISO date (YYYY-MM-DD): '2026-01-2'"
        )
    ]
    assert all(_count(engine, k) == 0 for k in KINDS)


def test_unreadable_files(engine: Engine, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("supplier,name\nS2,Gr\u00fcn\n".encode("latin-1"))
    for path, message in [
        (empty, f"{empty}:1: empty file: a header row is required"),
        (latin1, f"{latin1}:2: not UTF-8 text (invalid byte at offset 19)"),
    ]:
        with pytest.raises(ImportValidationError) as caught:
            import_kind(engine, "suppliers", path)
        assert [str(p) for p in caught.value.problems] == [message]
    assert _count(engine, "suppliers") == 0


def test_problem_string_leaves_out_missing_parts() -> None:
    assert str(Problem("a.csv", 3, "units", "bad")) == "a.csv:3:units: bad"
    assert str(Problem("a.csv", 3, None, "bad")) == "a.csv:3: bad"
    assert str(Problem("dir", None, None, "bad")) == "dir: bad"


def test_a_supplied_regional_location_must_stay_regional(engine: Engine, tmp_path: Path) -> None:
    import_directory(engine, write_files(tmp_path / "base", VALID_FILES))
    moved = tmp_path / "locations.csv"
    # F1 and F2 move to R2, but supply.csv (stored) still delivers to R1.
    moved.write_text(
        LOCATIONS_HEADER
        + "R2,Regional two,regional,,,52,13,\n"
        + "F1,Front one,front,R2,,52.52,13.40,\n"
        + "F2,Front two,front,R2,,52.50,13.45,\n"
        + "R1,Regional one,front,R2,,52.4,13.1,\n"
    )
    with pytest.raises(ImportValidationError) as caught:
        import_kind(engine, "locations", moved)
    assert [str(p) for p in caught.value.problems] == [
        f"{moved}:5:kind: 'R1' receives supply (supply.csv); it must stay regional"
    ]
