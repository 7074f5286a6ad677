"""Validated, all-or-nothing import of input CSV files into the database."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from storage.importing.formats import FORMATS, KINDS
from storage.importing.problems import ImportValidationError, Problem
from storage.importing.reading import CsvSource, RawCsv, read_csv, source_name
from storage.importing.validation import (
    ReferenceKeys,
    ValidatedFrame,
    batch_references,
    validate_kind,
)
from storage.importing.writing import upsert


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote: rows upserted per kind (dependency order) and the time taken."""

    rows_by_kind: Mapping[str, int] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)  # kind -> file name
    seconds: float = 0.0
    ignored_files: tuple[str, ...] = ()  # CSV files in the directory that are no known kind

    @property
    def total_rows(self) -> int:
        return sum(self.rows_by_kind.values())


def database_references(connection: Connection) -> ReferenceKeys:
    """The skus, locations (with kind and parent), suppliers and supplied locations already
    in the database."""
    locations = connection.execute(text("SELECT location, kind, parent FROM locations")).all()
    return ReferenceKeys(
        skus=frozenset(connection.execute(text("SELECT sku FROM items")).scalars()),
        locations={location: kind for location, kind, _ in locations},
        suppliers=frozenset(connection.execute(text("SELECT supplier FROM suppliers")).scalars()),
        parents={location: parent for location, _, parent in locations if parent},
        supplied=frozenset(
            connection.execute(text("SELECT DISTINCT location FROM supply")).scalars()
        ),
    )


def import_sources(
    engine: Engine, sources: Mapping[str, CsvSource], *, dry_run: bool = False
) -> ImportReport:
    """Validate every source (kind -> path or file) and, only if all are valid, upsert them
    all in one transaction in dependency order. Raises `ImportValidationError` otherwise.

    `dry_run=True` validates only (against the database as it is) and writes nothing; the
    report then counts the rows that would be upserted.
    """
    started = time.perf_counter()
    unknown = [k for k in sources if k not in FORMATS]
    if unknown:
        raise ImportValidationError(
            [
                Problem(k, None, None, f"unknown kind (use one of {', '.join(KINDS)})")
                for k in unknown
            ]
        )
    ordered = [k for k in KINDS if k in sources]
    problems: list[Problem] = []
    raws: dict[str, RawCsv] = {}
    files: dict[str, str] = {}
    for kind in ordered:
        file = source_name(sources[kind], FORMATS[kind].file_name)
        files[kind] = file
        raw, read_problems = read_csv(sources[kind], file)
        problems.extend(read_problems)
        if raw is not None:
            raws[kind] = raw
    missing_tables = [k for k in ordered if not inspect(engine).has_table(k)]
    if missing_tables:
        raise ImportValidationError(
            [
                Problem(
                    str(engine.url.render_as_string(hide_password=True)),
                    None,
                    None,
                    f"table {k} does not exist: run `supplycast db upgrade` first",
                )
                for k in missing_tables
            ]
        )
    rows_by_kind: dict[str, int] = {}
    with engine.begin() as connection:
        known = database_references(connection).merged(batch_references(raws))
        validated: list[ValidatedFrame] = []
        for kind in ordered:
            if kind in raws:
                result = validate_kind(kind, raws[kind], known)
                problems.extend(result.problems)
                validated.append(result)
        if problems:
            raise ImportValidationError(problems)  # rolls the (empty) transaction back
        for result in validated:
            if dry_run:
                rows_by_kind[result.kind] = len(result.frame)
            else:
                rows_by_kind[result.kind] = upsert(connection, result.kind, result.frame)
    return ImportReport(rows_by_kind, files, time.perf_counter() - started)


def import_kind(
    engine: Engine, kind: str, path_or_file: CsvSource, *, dry_run: bool = False
) -> ImportReport:
    """Import one file of `kind` (see `import_sources`)."""
    return import_sources(engine, {kind: path_or_file}, dry_run=dry_run)


def import_directory(
    engine: Engine, directory: str | Path, *, dry_run: bool = False
) -> ImportReport:
    """Import every `<kind>.csv` present in `directory`, in dependency order, as one batch."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ImportValidationError([Problem(str(folder), None, None, "not a directory")])
    sources: dict[str, CsvSource] = {
        kind: folder / FORMATS[kind].file_name
        for kind in KINDS
        if (folder / FORMATS[kind].file_name).is_file()
    }
    if not sources:
        expected = ", ".join(FORMATS[k].file_name for k in KINDS)
        raise ImportValidationError(
            [Problem(str(folder), None, None, f"no input files (expected any of {expected})")]
        )
    report = import_sources(engine, sources, dry_run=dry_run)
    known_names = {FORMATS[kind].file_name for kind in KINDS}
    ignored = tuple(
        str(path) for path in sorted(folder.glob("*.csv")) if path.name not in known_names
    )
    return replace(report, ignored_files=ignored)
