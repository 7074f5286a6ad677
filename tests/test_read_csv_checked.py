"""supplycast.commands.common.read_csv_checked: the CSV reader of the forecast, route and
allocate commands names the line of a row whose field count is wrong, the first row too."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplycast.commands.common import CommandInputError, read_csv_checked


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # pandas alone would read the first column as an index and shift the others
        ("a,b,c\n1,2,3,4\n5,6,7\n", "line 2: 4 fields where the header has 3"),
        ("a,b,c\n1,2,3\n5,6,7,8\n", "line 3: 4 fields where the header has 3"),
        ('a,b,c\n1,2,3\n"5,6,7\n', "line 3: 1 field where the header has 3"),
        ('a,b,c\n1,"x\ny",3,4\n5,6,7\n', "line 2: a quoted field over 2 lines, so 4 fields,"),
        ("", "No columns to parse from file"),
    ],
)
def test_a_bad_row_is_named_by_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(text)
    with pytest.raises(CommandInputError) as caught:
        read_csv_checked(path, dtype=str)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}: cannot read CSV: {message}")


def test_a_well_formed_file_is_read_as_pandas_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('sku,qty\n001,2\n"B, big",\n')
    frame = read_csv_checked(path, dtype=str, keep_default_na=False)
    assert frame.to_dict("list") == {"sku": ["001", "B, big"], "qty": ["2", ""]}
