"""Write stored input rows back out in their CSV format (the inverse of the import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from storage.frames import load_frame
from storage.importing.formats import FORMATS


def frame_to_csv_text(kind: str, frame: pd.DataFrame) -> str:
    """`frame` (as `load_frame` returns it) as the text of `<kind>.csv`: ISO dates, blank for
    missing values, whole numbers without a decimal point."""
    out = frame.copy()
    for spec in FORMATS[kind].columns:
        if spec.type == "date":
            out[spec.name] = out[spec.name].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, lineterminator="\n")


def export_kind(engine: Engine, kind: str, path: str | Path, **filters: Any) -> int:
    """Write the stored rows of `kind` (optionally filtered as in `load_frame`) to `path`.

    Returns the number of rows written. Importing the file again changes nothing.
    """
    frame = load_frame(engine, kind, **filters)
    Path(path).write_text(frame_to_csv_text(kind, frame), encoding="utf-8")
    return len(frame)
