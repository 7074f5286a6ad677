"""Suggestion exports as CSV and Excel bytes (pandas; Excel written by openpyxl)."""

from __future__ import annotations

import io

import pandas as pd

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a header row and no index."""
    return frame.to_csv(index=False).encode("utf-8")


def frame_to_xlsx_bytes(frame: pd.DataFrame, *, sheet_name: str = "suggestions") -> bytes:
    """An .xlsx workbook with one sheet holding `frame` (header row, no index)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet_name, index=False)
    return buffer.getvalue()
