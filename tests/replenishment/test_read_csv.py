"""supplycast.commands.replenish.read_csv: a malformed row is reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplycast.commands.common import CommandInputError
from supplycast.commands.replenish import read_csv


def test_a_row_with_an_extra_field_names_file_line_and_row(tmp_path: Path) -> None:
    path = tmp_path / "I.csv"
    path.write_text("sku,location,on_hand,on_order\nA,L1,5,0\nB,L1,3,1,9\nC,L1,4,0\n")
    with pytest.raises(CommandInputError) as caught:
        read_csv(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}: cannot read CSV: line 3: ")  # header = line 1
    assert "B,L1,3,1,9" in problem  # pyarrow quotes the row


def test_an_extra_field_on_the_first_row_names_line_2(tmp_path: Path) -> None:
    """pandas' C parser does not fail on it (it would take the first column as the index),
    so the line comes from supplycast.commands.common.malformed_line."""
    path = tmp_path / "I.csv"
    path.write_text("sku,location,on_hand\nA,L1,5,7\nB,L1,3\n")
    with pytest.raises(CommandInputError) as caught:
        read_csv(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}: cannot read CSV: line 2: 4 fields where the header has 3")


def test_an_unclosed_quote_still_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "I.csv"
    path.write_text('sku,location,on_hand\nA,L1,5\nB,"L1,3\nC,L1,4\n')
    with pytest.raises(CommandInputError) as caught:
        read_csv(path)
    assert caught.value.problems[0].startswith(f"{path}: cannot read CSV: ")


def test_a_well_formed_file_reads_text_columns_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "P.csv"
    path.write_text("sku,location,lead_time_days\n001,L1,2\nB,L2,3\n")
    frame = read_csv(path)
    assert frame["sku"].tolist() == ["001", "B"]  # leading zeros kept
    assert frame["lead_time_days"].tolist() == [2, 3]
