"""Read a CSV file into strings, keeping the physical line number of every record."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

import numpy as np
import pandas as pd

from storage.importing.problems import Problem

CsvSource = str | Path | BinaryIO | TextIO | bytes


@dataclass(frozen=True)
class RawCsv:
    """A CSV file as read: header names, all cells as stripped strings, record lines.

    `rows` has one column per header name (all `str`, blank = ""); `lines[i]` is the physical
    line (1-based; the header is line 1) on which record `i` starts. Blank lines are skipped.
    """

    file: str
    header: tuple[str, ...]
    rows: pd.DataFrame
    lines: np.ndarray


def source_name(source: CsvSource, default: str) -> str:
    """The name to show in problems: the path as given, a file object's name, or `default`."""
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", None) or default)


def _read_text(source: CsvSource, file: str) -> tuple[str | None, list[Problem]]:
    if isinstance(source, str | Path):
        data: bytes | str = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    if isinstance(data, str):
        return data, []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (invalid byte at offset {exc.start})"
        return None, [Problem(file, line, None, message)]


_PADDINGS = (" ,", ", ", " \n", "\n ", "\t")


def _has_padding(text: str) -> bool:
    """True when some cell may start or end with a space or tab (substring tests, C speed)."""
    return any(p in text for p in _PADDINGS) or text[:1] == " " or text.rstrip("\n")[-1:] == " "


def _strip_cells(rows: pd.DataFrame, text: str) -> pd.DataFrame:
    """Remove spaces around cells (only when the text has any: stripping 400k rows costs)."""
    if len(rows) and _has_padding(text):
        return rows.apply(lambda col: col.str.strip())
    return rows


def _read_simple(text: str, file: str, header: tuple[str, ...]) -> RawCsv | None:
    """Fast path with pandas' C parser for the common file: no quotes, no carriage returns,
    no blank lines, so record i is on line i + 2. None when the file is not that simple."""
    if '"' in text or "\r" in text or "\n\n" in text or text.startswith("\n"):
        return None
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    newlines = np.flatnonzero(data == ord("\n"))
    line_count = len(newlines) + (0 if text.endswith("\n") else 1)
    commas_per_line = np.bincount(
        np.searchsorted(newlines, np.flatnonzero(data == ord(","))), minlength=line_count
    )
    if len(commas_per_line) != line_count or (commas_per_line != len(header) - 1).any():
        return None  # ragged rows: let the csv module report them by line
    try:
        rows = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=None,
            skiprows=1,
            names=list(header),
            index_col=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if len(rows) != line_count - 1:
        return None
    rows = _strip_cells(rows.astype(object, copy=False), text)
    return RawCsv(file, header, rows, np.arange(2, len(rows) + 2, dtype=np.int64))


def read_csv(source: CsvSource, file: str) -> tuple[RawCsv | None, list[Problem]]:
    """Parse `source` as a header-first CSV. Returns (None, problems) when it is unreadable.

    Records with a different number of fields than the header are problems (their line);
    quoted fields may span lines, so line numbers are counted by the csv module, not assumed
    (files without quotes, carriage returns or blank lines take a faster equivalent path).
    """
    text, problems = _read_text(source, file)
    if text is None:
        return None, problems
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_row = next(reader, None)
        while header_row is not None and not header_row:
            header_row = next(reader, None)
    except csv.Error as exc:
        return None, [Problem(file, reader.line_num, None, f"malformed CSV: {exc}")]
    if header_row is None:
        return None, [Problem(file, 1, None, "empty file: a header row is required")]
    header_line = reader.line_num
    header = tuple(h.strip() for h in header_row)
    seen: set[str] = set()
    for name in header:
        if name == "":
            problems.append(Problem(file, header_line, None, "blank column name in header"))
        elif name in seen:
            problems.append(Problem(file, header_line, name, "column appears twice in header"))
        seen.add(name)
    if problems:
        return None, problems
    if header_line == 1:
        simple = _read_simple(text, file, header)
        if simple is not None:
            return simple, []
    width = len(header)
    records: list[list[str]] = []
    lines: list[int] = []
    previous_end = reader.line_num
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not row:
                continue
            if len(row) != width:
                problems.append(
                    Problem(file, start, None, f"expected {width} fields, found {len(row)}")
                )
                continue
            records.append(row)
            lines.append(start)
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, None, f"malformed CSV: {exc}"))
        return None, problems
    if records:
        rows = _strip_cells(pd.DataFrame(records, columns=list(header), dtype=object), text)
    else:
        rows = pd.DataFrame({name: pd.Series([], dtype=object) for name in header})
    return RawCsv(file, header, rows, np.asarray(lines, dtype=np.int64)), problems
