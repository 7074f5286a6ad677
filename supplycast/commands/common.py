"""Helpers shared by the command shells: input problems, report them and exit, one line of an
error."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:  # pandas is imported when a command runs, not when the CLI starts
    import pandas as pd


class CommandInputError(Exception):
    """Problems found by a shell before or while calling a core; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def fail(problems: Iterable[str], *, code: int = 1, prefix: str = "") -> NoReturn:
    """Print each problem (after `prefix`) on stderr, then exit with `code`."""
    for problem in problems:
        typer.echo(f"{prefix}{problem}", err=True)
    raise typer.Exit(code=code)


def first_line(exc: BaseException, fallback: str | None = None) -> str:
    """The first line of `exc`'s message; for an empty message `fallback`, else its type name."""
    text = str(exc).strip()
    if text:
        return text.splitlines()[0]
    return type(exc).__name__ if fallback is None else fallback


def malformed_line(path: Path, separator: str = ",") -> str:
    """'line N: K fields where the header has H; ' for the first data row of the CSV at
    `path` whose number of fields differs from the header's (quoted fields honoured; N is
    the file line the row starts on, the header being line 1), '' when every row matches.
    Reads the file: for the error path only."""
    with path.open(newline="") as handle:
        reader = csv.reader(handle, delimiter=separator)
        try:
            header = next(reader, None)
            if header is None:
                return ""
            start = reader.line_num + 1  # the line the next row starts on
            for row in reader:
                if row and len(row) != len(header):
                    count = f"{len(row)} field{'s' if len(row) != 1 else ''}"
                    lines = reader.line_num - start + 1
                    if lines > 1:  # e.g. an unclosed quote: the row runs on to the next lines
                        count = f"a quoted field over {lines} lines, so {count},"
                    return f"line {start}: {count} where the header has {len(header)}; "
                start = reader.line_num + 1
        except csv.Error as exc:
            return f"line {reader.line_num}: {exc}; "
    return ""


def csv_header(path: Path) -> tuple[list[str], str]:
    """(the header's field names as written, the field separator): "," unless the header
    line holds no comma but a semicolon (";", as spreadsheets write CSV where the comma is
    the decimal mark) or a tab. ([], ",") for an empty or undecodable file (the reader then
    reports it)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            line = handle.readline()
    except (OSError, UnicodeDecodeError):
        return [], ","
    separator = ","
    if "," not in line:
        separator = ";" if ";" in line else "\t" if "\t" in line else ","
    return next(csv.reader([line], delimiter=separator), []), separator


def read_csv_checked(path: Path, **options: Any) -> pd.DataFrame:
    """`pandas.read_csv(path, index_col=False, **options)` where a row whose number of fields
    differs from the header's is an error naming its line, the first data row included: there
    pandas would otherwise read one field too many as an index column and shift every column
    (with index_col=False it warns and drops the field; the warning is made an error here).
    The separator is `csv_header`'s (unless `sep` is given) and the column names lose
    surrounding spaces (" units" is "units"; `dtype` and `usecols` name the stripped names).
    Raises CommandInputError(["PATH: cannot read CSV: line N: ..."]) (the library's message
    when no line is found, e.g. an empty file)."""
    import warnings

    import pandas as pd

    header, separator = csv_header(path)
    options.setdefault("sep", separator)
    written = {name.strip(): name for name in header}
    if isinstance(options.get("dtype"), dict):
        options["dtype"] = {written.get(k, k): v for k, v in options["dtype"].items()}
    if isinstance(options.get("usecols"), list):
        options["usecols"] = [written.get(c, c) for c in options["usecols"]]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, index_col=False, **options)
    except (
        ValueError,  # UnicodeDecodeError included
        pd.errors.ParserError,
        pd.errors.ParserWarning,
        pd.errors.EmptyDataError,
        OSError,
    ) as exc:
        try:
            where = malformed_line(path, options["sep"]).removesuffix("; ")
        except (OSError, UnicodeDecodeError):
            where = ""
        raise CommandInputError([f"{path}: cannot read CSV: {where or first_line(exc)}"]) from exc
    frame.columns = [c.strip() if isinstance(c, str) else c for c in frame.columns]
    return frame


@contextmanager
def written_atomically(path: Path) -> Iterator[Path]:
    """A temporary path next to `path` (".<pid>-<name>": the same ending, so a writer that
    infers compression from the name still does) for the block to write; renamed over `path`
    when the block ends without an error, removed otherwise, so a failed or killed run never
    leaves half a file under the real name. Creates the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{os.getpid()}-{path.name}")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
