"""supplycast.commands.replenish.write_csv writes what DataFrame.to_csv writes, byte for byte."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplycast.commands.replenish import write_csv

EDGE_TEXT = ["x", "y,z", 'say "hi"', "", None, "line\nbreak", "cr\rhere", "Mon;Thu", "é ü", "t"]
EDGE_FLOATS = [np.nan, np.inf, -np.inf, -0.0, 1e20, 4.999e-5, -1e-5, 2.5e-5, 0.00015, 123.45678]


def pandas_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    frame.to_csv(path, index=False, float_format="%.4f")
    return path.read_bytes()


def ours(frame: pd.DataFrame, path: Path) -> bytes:
    write_csv(frame, path, float_format="%.4f")
    return path.read_bytes()


def test_edge_values_match_pandas(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "text": EDGE_TEXT,
            "value": EDGE_FLOATS,
            "other, quoted": np.arange(10) / 3.0,
            "explanation": [f"binding: MOQ, max units; row {i}." for i in range(10)],
        }
    )
    assert ours(frame, tmp_path / "a.csv") == pandas_bytes(frame, tmp_path / "b.csv")


def test_suggestion_shaped_frame_matches_pandas(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    frame = pd.DataFrame(
        {
            "sku": [f"SKU{i:05d}" for i in range(n)],
            "location": rng.choice(["LOC1", "LOC,2"], n),
            "order_qty": rng.choice([0.0, 6.0, 12.0, np.nan], n),
            "order_up_to": rng.gamma(1.5, 80.0, n) * rng.choice([1.0, -1.0], n),
            "flags": rng.choice(["", "excess", "stockout_risk;cold_start"], n),
            "explanation": rng.choice(['a "quoted" word', "one, two", "plain."], n),
        }
    )
    assert ours(frame, tmp_path / "a.csv") == pandas_bytes(frame, tmp_path / "b.csv")


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)}),
        pd.DataFrame({"only": ["", "x"]}),  # one column: left to pandas
        pd.DataFrame({"n": [1, 2], "t": ["a", "b,c"]}),  # an int column: left to pandas
        pd.DataFrame({"c": pd.Categorical(["a", "b"]), "v": [0.5, np.nan]}),
    ],
)
def test_empty_and_fallback_frames_match_pandas(tmp_path: Path, frame: pd.DataFrame) -> None:
    assert ours(frame, tmp_path / "a.csv") == pandas_bytes(frame, tmp_path / "b.csv")
