"""Input rows as DataFrames with the CSV column names (the edge where rows become frames).

`load_frame(session_or_engine, "sales", location="F1", date__ge=date(2026, 1, 1))` returns
the rows of one kind, ordered by its natural key, with:

- date columns as pandas datetime64 (normalized, no time zone);
- quantities and money as float64; `pack_size` and `moq` as int64; `shelf_life_days` as
  nullable Int64 (<NA> = not perishable);
- blank optional cells as NaN / None, in particular `promotions.location` is None for a
  promotion at every location (stored as the empty string).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, String, select, type_coerce
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from storage.importing.formats import FORMATS
from storage.tables import ALL_LOCATIONS, INPUT_TABLES

_OPERATORS = {
    "eq": lambda c, v: c == v,
    "ne": lambda c, v: c != v,
    "ge": lambda c, v: c >= v,
    "gt": lambda c, v: c > v,
    "le": lambda c, v: c <= v,
    "lt": lambda c, v: c < v,
    "in": lambda c, v: c.in_(list(v)),
}


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _condition(kind: str, key: str, value: Any) -> ColumnElement[bool]:
    name, _, op = key.partition("__")
    table = INPUT_TABLES[kind].__table__  # type: ignore[attr-defined]
    if name not in table.c:
        raise ValueError(f"{kind} has no column {name!r} to filter on")
    if not op:
        is_collection = isinstance(value, Iterable) and not isinstance(value, str | bytes)
        op = "in" if is_collection else "eq"
    if op not in _OPERATORS:
        raise ValueError(f"unknown filter operator {op!r} (use {', '.join(_OPERATORS)})")
    if op == "in":
        value = [_plain(v) for v in value]
    else:
        value = _plain(value)
    return _OPERATORS[op](table.c[name], value)


def load_frame(
    session_or_engine: Session | Engine | Connection, kind: str, **filters: Any
) -> pd.DataFrame:
    """Rows of input `kind` as a DataFrame with the CSV columns, filtered by `filters`.

    A filter `column=value` keeps equal rows (a list/tuple/set keeps rows in it);
    `column__op=value` with op in eq, ne, ge, gt, le, lt, in compares. Dates may be given as
    `datetime.date` or `pd.Timestamp`.
    """
    if kind not in FORMATS:
        raise ValueError(f"unknown kind {kind!r} (use one of {', '.join(FORMATS)})")
    fmt = FORMATS[kind]
    table = INPUT_TABLES[kind].__table__  # type: ignore[attr-defined]
    # Dates are read without SQLAlchemy's per-value conversion (ISO text on SQLite, date
    # objects on PostgreSQL) and converted column-wise below: 3x faster on a million rows.
    columns = [
        type_coerce(table.c[spec.name], String).label(spec.name)
        if spec.type == "date"
        else table.c[spec.name]
        for spec in fmt.columns
    ]
    statement = select(*columns).order_by(*(table.c[name] for name in fmt.natural_key))
    for key, value in filters.items():
        statement = statement.where(_condition(kind, key, value))
    if isinstance(session_or_engine, Engine):
        with session_or_engine.connect() as connection:
            rows = connection.execute(statement).all()
    else:
        rows = session_or_engine.execute(statement).all()
    frame = pd.DataFrame.from_records(rows, columns=list(fmt.column_names), nrows=len(rows))
    return _typed(kind, frame)


def _typed(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    for spec in FORMATS[kind].columns:
        values = frame[spec.name]
        if spec.type == "date":
            iso_text = len(values) > 0 and isinstance(values.iloc[0], str)
            dates = pd.to_datetime(values, format="%Y-%m-%d" if iso_text else None)
            frame[spec.name] = dates.dt.normalize().astype("datetime64[ns]")
        elif spec.type == "float":
            frame[spec.name] = pd.to_numeric(values).astype("float64")
        elif spec.type == "int":
            frame[spec.name] = values.astype("Int64" if spec.nullable else "int64")
        else:
            frame[spec.name] = values.astype(object).where(values.notna(), None)
    if kind == "promotions":
        location = frame["location"]
        frame["location"] = location.where(location != ALL_LOCATIONS, None)
    return frame
