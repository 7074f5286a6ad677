"""`validate_kind` never raises on bad data: it reports problems for any mangled column."""

from __future__ import annotations

import pytest

from storage.importing import FORMATS, KINDS, read_csv, validate_kind
from storage.importing.validation import ReferenceKeys, batch_references
from tests.storage.files import VALID_FILES

KNOWN = ReferenceKeys().merged(
    batch_references({k: read_csv(VALID_FILES[k].encode(), f"{k}.csv")[0] for k in KINDS})
)


def _mangled(kind: str, column: str, how: str) -> str:
    lines = VALID_FILES[kind].splitlines()
    header = lines[0].split(",")
    index = header.index(column)
    out = []
    for number, line in enumerate(lines):
        cells = line.replace('"Thu, Mon"', "Thu").replace('"Bolts, M6"', "Bolts").split(",")
        if how == "drop":
            del cells[index]
        elif number > 0:
            cells[index] = {"blank": "", "garbage": "#?!"}[how]
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


CASES = [
    (kind, column.name, how)
    for kind in KINDS
    for column in FORMATS[kind].columns
    for how in ("drop", "blank", "garbage")
]


@pytest.mark.parametrize(("kind", "column", "how"), CASES)
def test_mangled_column_gives_problems_not_exceptions(kind: str, column: str, how: str) -> None:
    raw, problems = read_csv(_mangled(kind, column, how).encode(), f"{kind}.csv")
    assert problems == [] and raw is not None
    result = validate_kind(kind, raw, KNOWN)
    spec = FORMATS[kind].column(column)
    checked = spec.type != "str" or spec.references is not None
    expect_problem = (spec.required and how != "garbage") or (how == "garbage" and checked)
    if expect_problem:
        key = ",".join(FORMATS[kind].natural_key)
        assert {p.column for p in result.problems} & {column, key}, (kind, column, how)


def test_the_valid_files_are_valid() -> None:
    for kind in KINDS:
        raw, problems = read_csv(VALID_FILES[kind].encode(), f"{kind}.csv")
        assert problems == [] and raw is not None
        assert validate_kind(kind, raw, KNOWN).problems == ()
