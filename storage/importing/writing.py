"""Bulk upsert of validated frames: one statement per kind, inside the caller's transaction.

SQLite: `INSERT ... ON CONFLICT (<natural key>) DO UPDATE` through the driver's executemany.
PostgreSQL: `COPY` (psycopg 3 `cursor.copy`) into a temporary table, then one
`INSERT ... SELECT ... ON CONFLICT (<natural key>) DO UPDATE` into the table; into an empty
table (a first load) `COPY` goes straight into the table. Validation has
already removed duplicate keys, so no row is updated twice by one statement.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from storage.importing.formats import FORMATS


def storage_frame(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with database-ready columns: dates as ISO strings, ints as Int64, None for
    missing values."""
    fmt = FORMATS[kind]
    out = pd.DataFrame(index=frame.index)
    for spec in fmt.columns:
        values = frame[spec.name]
        if spec.type == "date":
            # Format each distinct day once (a million sales rows span a few hundred days).
            codes, days = pd.factorize(pd.to_datetime(values))
            iso = np.array([*days.strftime("%Y-%m-%d"), None], dtype=object)
            out[spec.name] = iso[codes]  # code -1 (missing) takes the trailing None
        elif spec.type == "int":
            numbers = pd.to_numeric(values, errors="coerce").astype(float)
            out[spec.name] = pd.array(
                np.where(numbers.isna(), None, numbers.round()), dtype="Int64"
            )
        elif spec.type == "float":
            out[spec.name] = pd.to_numeric(values, errors="coerce").astype(float)
        else:
            out[spec.name] = values.astype(object)
    return out


def _update_clause(kind: str, dialect: str) -> str:
    """`ON CONFLICT (<natural key>) DO UPDATE SET ...` that only rewrites rows that changed, so
    re-importing the same file writes nothing (no new row versions, no index churn)."""
    fmt = FORMATS[kind]
    key = ", ".join(fmt.natural_key)
    rest = [c for c in fmt.column_names if c not in fmt.natural_key]
    if not rest:
        return f"ON CONFLICT ({key}) DO NOTHING"
    sets = ", ".join(f"{c} = excluded.{c}" for c in rest)
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    changed = " OR ".join(f'"{kind}".{c} {differs} excluded.{c}' for c in rest)
    return f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {changed}"


def _python_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows of plain Python values (None for missing) for the DB-API executemany."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        if series.dtype == np.float64:
            values = series.to_numpy()
            column = values.tolist()
            for position in np.flatnonzero(np.isnan(values)):
                column[position] = None
        elif isinstance(series.dtype, pd.Int64Dtype):
            column = series.to_numpy(dtype=object, na_value=None).tolist()
        else:
            column = series.tolist()
            for position in np.flatnonzero(pd.isna(series).to_numpy()):
                column[position] = None
        columns.append(column)
    return list(zip(*columns, strict=True))


def upsert_sqlite(connection: Connection, kind: str, frame: pd.DataFrame) -> int:
    """Upsert `frame` (validated, `kind` columns) into the SQLite table `kind`."""
    db_frame = storage_frame(kind, frame)
    names = list(db_frame.columns)
    sql = (
        f'INSERT INTO "{kind}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))}) '
        + _update_clause(kind, "sqlite")
    )
    rows = _python_rows(db_frame)
    if rows:
        connection.exec_driver_sql(sql, rows)
    return len(rows)


def upsert_postgresql(connection: Connection, kind: str, frame: pd.DataFrame) -> int:
    """Upsert `frame` into the PostgreSQL table `kind` with COPY into a temporary table."""
    db_frame = storage_frame(kind, frame)
    if db_frame.empty:
        return 0
    names = ", ".join(db_frame.columns)
    staging = f"_import_{kind}"
    # NULL = an unquoted empty field (COPY's CSV default). Text columns that are never NULL
    # are read with FORCE_NOT_NULL, so an empty string there (promotions at all locations)
    # stays an empty string; any other text, `\N` included, is data.
    not_null_text = [
        spec.name
        for spec in FORMATS[kind].columns
        if spec.type in ("str", "enum", "weekdays") and not spec.nullable
    ] + (["location"] if kind == "promotions" else [])
    driver_connection = connection.connection.driver_connection
    if driver_connection is None:
        raise RuntimeError("the SQLAlchemy connection has no psycopg connection")
    with driver_connection.cursor() as cursor:
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{kind}")')
        row = cursor.fetchone()
        if row is not None and not row[0]:
            # Empty table: no key can conflict (validation removed duplicates), COPY directly.
            _copy(cursor, kind, names, db_frame, not_null_text)
            return len(db_frame)
        cursor.execute(f'DROP TABLE IF EXISTS "{staging}"')
        cursor.execute(
            f'CREATE TEMPORARY TABLE "{staging}" (LIKE "{kind}" INCLUDING DEFAULTS) ON COMMIT DROP'
        )
        _copy(cursor, staging, names, db_frame, not_null_text)
        cursor.execute(
            f'INSERT INTO "{kind}" ({names}) SELECT {names} FROM "{staging}" '
            + _update_clause(kind, "postgresql")
        )
        cursor.execute(f'DROP TABLE "{staging}"')
    return len(db_frame)


COPY_CHUNK_ROWS = 50_000


def _copy(cursor: Any, table: str, names: str, frame: pd.DataFrame, not_null: list[str]) -> None:
    """COPY `frame` as CSV into `table` (`names` columns); `not_null` columns never read NULL.

    The CSV is formatted in chunks while the server loads the previous one (two cores work).
    """
    force = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    copy_sql = f'COPY "{table}" ({names}) FROM STDIN (FORMAT csv{force})'
    with cursor.copy(copy_sql) as copy:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
            copy.write(chunk.to_csv(index=False, header=False, na_rep="", lineterminator="\n"))


def upsert(connection: Connection, kind: str, frame: pd.DataFrame) -> int:
    """Upsert `frame` into table `kind` with the dialect's bulk path; returns rows written."""
    if connection.dialect.name == "postgresql":
        return upsert_postgresql(connection, kind, frame)
    return upsert_sqlite(connection, kind, frame)
