"""Property: any valid sales file round-trips exactly through import and load_frame (SQLite)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.db import make_engine
from storage.frames import load_frame
from storage.importing import import_directory, import_kind
from storage.migrate import upgrade
from tests.storage.files import BASE_KINDS, VALID_FILES, write_files

KEYS = st.tuples(
    st.sampled_from(["A", "B"]),
    st.sampled_from(["F1", "F2", "R1"]),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
)
UNITS = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, UNITS, min_size=0, max_size=40))
def test_sales_round_trip_exactly(rows: dict[tuple[str, str, dt.date], float]) -> None:
    expected = pd.DataFrame(
        [(sku, loc, pd.Timestamp(day), units) for (sku, loc, day), units in rows.items()],
        columns=["sku", "location", "date", "units"],
    )
    expected["date"] = expected["date"].astype("datetime64[ns]")
    expected["units"] = expected["units"].astype("float64")
    expected = expected.sort_values(["sku", "location", "date"]).reset_index(drop=True)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        url = f"sqlite:///{base / 'p.db'}"
        upgrade(url, "0001_inputs")
        engine = make_engine(url)
        try:
            import_directory(
                engine, write_files(base / "base", {k: VALID_FILES[k] for k in BASE_KINDS})
            )
            sales = base / "sales.csv"
            out = expected.assign(date=expected["date"].dt.strftime("%Y-%m-%d"))
            out.sample(frac=1.0, random_state=0).to_csv(sales, index=False)
            assert import_kind(engine, "sales", sales).rows_by_kind == {"sales": len(rows)}
            loaded = load_frame(engine, "sales")
        finally:
            engine.dispose()
    pd.testing.assert_frame_equal(loaded, expected, check_index_type=False)
