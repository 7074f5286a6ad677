"""CSV reading: physical line numbers, line endings, BOM, padding, header-only files."""

from __future__ import annotations

import pytest

from storage.importing.reading import read_csv


@pytest.mark.parametrize(
    ("data", "rows", "lines"),
    [
        (b"supplier,name\n", [], []),
        (b"supplier,name", [], []),
        (b"supplier,name\r\nS1, One \r\nS2,Two\r\n", [["S1", "One"], ["S2", "Two"]], [2, 3]),
        (b"supplier,name\rS1,One\rS2,Two\r", [["S1", "One"], ["S2", "Two"]], [2, 3]),
        (b"\xef\xbb\xbfsupplier,name\nS1,One", [["S1", "One"]], [2]),
        (b"supplier,name\n\nS1,One\n", [["S1", "One"]], [3]),
        (
            b'supplier,name\nS1,"One,\nand more"\nS2,Two\n',
            [["S1", "One,\nand more"], ["S2", "Two"]],
            [2, 4],
        ),
        (b" supplier , name \n S1 , One \n", [["S1", "One"]], [2]),
    ],
)
def test_records_and_their_physical_lines(data: bytes, rows: list[list[str]], lines: list[int]):
    raw, problems = read_csv(data, "f.csv")
    assert problems == []
    assert raw is not None and raw.header == ("supplier", "name")
    assert raw.rows.values.tolist() == rows
    assert raw.lines.tolist() == lines


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            b"supplier,name\nS1\nS2,Two,x\n",
            ["f.csv:2: expected 2 fields, found 1", "f.csv:3: expected 2 fields, found 3"],
        ),
        (b"supplier,supplier\n", ["f.csv:1:supplier: column appears twice in header"]),
        (b"supplier,,name\n", ["f.csv:1: blank column name in header"]),
        (b"\n\n", ["f.csv:1: empty file: a header row is required"]),
    ],
)
def test_structural_problems(data: bytes, messages: list[str]) -> None:
    _, problems = read_csv(data, "f.csv")
    assert [str(p) for p in problems] == messages
