"""The Walmart adapter turns the real Kaggle data into valid supplycast CSVs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from storage.importing.reading import read_csv
from storage.importing.validation import ReferenceKeys, batch_references, validate_kind
from storage.importing.walmart import adapt_walmart, fahrenheit_to_celsius


def test_fahrenheit_to_celsius_fixed_points() -> None:
    celsius = fahrenheit_to_celsius(pd.Series([32.0, 212.0, -40.0]))
    assert celsius.tolist() == pytest.approx([0.0, 100.0, -40.0])


@pytest.mark.shared_data
@pytest.mark.slow
def test_walmart_files_are_complete_and_valid(shared_data_dir: Path, tmp_path: Path) -> None:
    counts = adapt_walmart(shared_data_dir / "walmart_store_sales", tmp_path)
    # Figures from walmart_store_sales/README.md: 421,570 rows, 81 departments, 45 stores
    # (+ the synthetic regional parent), 8,190 store-weeks of features.
    assert counts == {"items": 81, "locations": 46, "sales": 421_570, "weather": 8_190}
    raws = {}
    for kind in counts:
        raw, problems = read_csv(tmp_path / f"{kind}.csv", f"{kind}.csv")
        assert problems == [] and raw is not None
        raws[kind] = raw
    known = ReferenceKeys().merged(batch_references(raws))
    sales = None
    for kind, raw in raws.items():
        result = validate_kind(kind, raw, known)
        assert result.problems == ()
        if kind == "sales":
            sales = result.frame
    assert sales is not None
    assert int((sales["units"] < 0).sum()) == 1_285  # returns kept as given (README quirk)
    first = sales.iloc[0]
    assert (first["sku"], first["location"], first["units"]) == ("D1", "S1", 24924.5)
    assert first["date"] == pd.Timestamp("2010-02-05")
