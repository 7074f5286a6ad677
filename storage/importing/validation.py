"""Validate a read CSV against its kind's format: a pure function returning every problem.

`validate_kind(kind, raw, known)` checks the header, every cell (type, ISO date, bounds, enum,
weekday tokens, NaN), the kind's row rules (a front location needs a regional parent, ...),
duplicates on the natural key and references to skus/locations/suppliers that are neither in
the database nor in the same import batch (`known`). It returns the typed frame (CSV column
names, defaults filled in) together with all problems, sorted by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from storage.importing.formats import FORMATS, WEEKDAYS, ColumnFormat, KindFormat
from storage.importing.problems import Problem
from storage.importing.reading import RawCsv


@dataclass(frozen=True)
class ReferenceKeys:
    """Keys other rows may reference: skus, locations (with their kind), suppliers."""

    skus: frozenset[str] = frozenset()
    locations: Mapping[str, str] = field(default_factory=dict)  # location -> kind
    suppliers: frozenset[str] = frozenset()
    # What depends on a location staying regional: location -> parent, supplied locations.
    parents: Mapping[str, str] = field(default_factory=dict)
    supplied: frozenset[str] = frozenset()

    def merged(self, newer: ReferenceKeys) -> ReferenceKeys:
        """Union of both; a location's kind and parent from `newer` win (the batch overrides
        the database)."""
        return ReferenceKeys(
            skus=self.skus | newer.skus,
            locations={**self.locations, **newer.locations},
            suppliers=self.suppliers | newer.suppliers,
            parents={**self.parents, **newer.parents},
            supplied=self.supplied | newer.supplied,
        )

    def children(self, location: str) -> list[str]:
        """Locations whose parent is `location`, sorted."""
        return sorted(child for child, parent in self.parents.items() if parent == location)

    def contains(self, kind: str) -> Iterable[str]:
        if kind == "items":
            return self.skus
        if kind == "locations":
            return self.locations.keys()
        if kind == "suppliers":
            return self.suppliers
        raise KeyError(kind)


def batch_references(raws: Mapping[str, RawCsv]) -> ReferenceKeys:
    """The keys defined by the files of one import batch (rows as given, even invalid ones)."""

    def column(kind: str, name: str) -> pd.Series:
        raw = raws.get(kind)
        if raw is None or name not in raw.rows:
            return pd.Series([], dtype=object)
        values = raw.rows[name]
        return values[values != ""]

    locations: dict[str, str] = {}
    parents: dict[str, str] = {}
    raw_locations = raws.get("locations")
    if raw_locations is not None and "location" in raw_locations.rows:
        rows = raw_locations.rows
        blank = pd.Series("", index=rows.index)
        kinds = rows["kind"] if "kind" in rows else blank
        parent_cells = rows["parent"] if "parent" in rows else blank
        for name, kind, parent in zip(rows["location"], kinds, parent_cells, strict=True):
            if name:
                locations[name] = kind
                parents[name] = parent
    return ReferenceKeys(
        skus=frozenset(column("items", "sku")),
        locations=locations,
        suppliers=frozenset(column("suppliers", "supplier")),
        parents=parents,
        supplied=frozenset(column("supply", "location")),
    )


@dataclass(frozen=True)
class ValidatedFrame:
    """The outcome of validating one file: typed `frame` (only meaningful without problems)."""

    kind: str
    file: str
    frame: pd.DataFrame
    problems: tuple[Problem, ...]


_REFERENCE_NOUN = {"items": "sku", "locations": "location", "suppliers": "supplier"}


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _fmt_number(value: float) -> str:
    return f"{value:g}"


class _Collector:
    """Accumulates problems of one file, given boolean masks over its rows."""

    def __init__(self, raw: RawCsv) -> None:
        self.raw = raw
        self.items: list[Problem] = []

    def add_mask(self, mask: np.ndarray | pd.Series, column: str | None, message: object) -> None:
        """Add a problem for each row in `mask`; `message` is a str or a function of the cell."""
        index = np.flatnonzero(np.asarray(mask, dtype=bool))
        if index.size == 0:
            return
        cells = self.raw.rows[column].to_numpy() if column in self.raw.rows else None
        for i in index:
            text = message(cells[i]) if callable(message) else message  # type: ignore[index]
            self.items.append(Problem(self.raw.file, int(self.raw.lines[i]), column, str(text)))

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(self.raw.file, line, column, message))


def _parse_column(
    spec: ColumnFormat, cells: pd.Series, blank: pd.Series, out: _Collector
) -> tuple[pd.Series, pd.Series]:
    """Typed values of one column and the mask of cells that parsed (blank cells excluded)."""
    name = spec.name
    if spec.type in ("float", "int"):
        values = pd.to_numeric(cells.where(~blank), errors="coerce").astype(float)
        bad = ~blank & values.isna()
        is_nan_text = np.zeros(len(cells), dtype=bool)
        bad_positions = np.flatnonzero(bad.to_numpy())
        if bad_positions.size:
            bad_cells = cells.iloc[bad_positions].str.lower()
            is_nan_text[bad_positions] = bad_cells.isin(("nan", "-nan", "+nan")).to_numpy()
        out.add_mask(bad & is_nan_text, name, "NaN is not allowed")
        out.add_mask(bad & ~is_nan_text, name, lambda v: f"not a number: {_show(v)}")
        infinite = np.isinf(values.to_numpy())
        out.add_mask(infinite, name, "must be a finite number")
        ok = ~blank & ~bad & ~infinite
        if spec.type == "int":
            fractional = ok & (values != np.round(values))
            out.add_mask(fractional, name, lambda v: f"not a whole number: {_show(v)}")
            ok &= ~fractional
        if spec.min_value is not None:
            if spec.exclusive_min:
                low = ok & (values <= spec.min_value)
                bound = f"must be > {_fmt_number(spec.min_value)}"
            else:
                low = ok & (values < spec.min_value)
                bound = f"must be >= {_fmt_number(spec.min_value)}"
            out.add_mask(low, name, lambda v, b=bound: f"{b}, got {v}")
            ok &= ~low
        if spec.max_value is not None:
            high = ok & (values > spec.max_value)
            limit = _fmt_number(spec.max_value)
            out.add_mask(high, name, lambda v, m=limit: f"must be <= {m}, got {v}")
            ok &= ~high
        return values, ok
    if spec.type == "date":
        # Parse each distinct cell once (a sales file has few distinct days).
        codes, uniques = pd.factorize(cells)
        distinct = pd.Series(uniques, dtype=object)
        shaped = distinct.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
        parsed = pd.to_datetime(distinct.where(shaped), format="%Y-%m-%d", errors="coerce")
        values = pd.Series(parsed.to_numpy()[codes], index=cells.index)
        bad = ~blank & values.isna()
        out.add_mask(bad, name, lambda v: f"not an ISO date (YYYY-MM-DD): {_show(v)}")
        return values, ~blank & ~bad
    if spec.type == "enum":
        bad = ~blank & ~cells.isin(spec.choices)
        choices = ", ".join(spec.choices)
        out.add_mask(bad, name, lambda v: f"must be one of {choices}, got {_show(v)}")
        return cells, ~blank & ~bad
    if spec.type == "weekdays":
        normalized = cells.copy()
        ok = ~blank
        for i in np.flatnonzero(ok.to_numpy()):
            tokens = [t.strip() for t in cells.iat[i].split(",")]
            unknown = [t for t in tokens if t not in WEEKDAYS]
            if unknown:
                out.add(
                    int(out.raw.lines[i]),
                    name,
                    f"unknown weekday {_show(unknown[0])} (use Mon,Tue,Wed,Thu,Fri,Sat,Sun)",
                )
                ok.iat[i] = False
            else:
                normalized.iat[i] = ",".join(d for d in WEEKDAYS if d in tokens)
        return normalized, ok
    return cells, ~blank


def _missing_values(spec: ColumnFormat, index: pd.Index) -> pd.Series:
    """A column of missing values of the column's type (for a column absent from the file)."""
    if spec.type == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if spec.type in ("float", "int"):
        return pd.Series(np.nan, index=index, dtype=float)
    return pd.Series(None, index=index, dtype=object)


def validate_kind(kind: str, raw: RawCsv, known: ReferenceKeys) -> ValidatedFrame:
    """Check `raw` as a file of `kind` against the format and `known` reference keys.

    Never raises on bad data: every problem is in the result. `frame` has the kind's columns in
    format order with typed values (dates as datetime64, blank nullable cells as NaN/None,
    defaults for blank or absent optional columns).
    """
    fmt: KindFormat = FORMATS[kind]
    out = _Collector(raw)
    rows = raw.rows
    header_line = 1
    for name in raw.header:
        if name and name not in fmt.column_names:
            out.add(
                header_line,
                name,
                f"unknown column for {kind} (expected: {', '.join(fmt.column_names)})",
            )
    frame = pd.DataFrame(index=rows.index)
    parsed_ok: dict[str, pd.Series] = {}
    for spec in fmt.columns:
        if spec.name not in rows:
            if spec.required:
                out.add(header_line, spec.name, "required column is missing")
                parsed_ok[spec.name] = pd.Series(False, index=rows.index)
                frame[spec.name] = _missing_values(spec, rows.index)
            else:
                frame[spec.name] = spec.default
                parsed_ok[spec.name] = pd.Series(not spec.nullable, index=rows.index)
            continue
        cells = rows[spec.name]
        blank = cells == ""
        if spec.required:
            out.add_mask(blank, spec.name, "a value is required")
        values, ok = _parse_column(spec, cells, blank, out)
        if not spec.required and not spec.nullable:
            values = values.where(~blank, spec.default)
        elif spec.nullable:
            values = values.where(~blank, None if spec.type in ("str", "weekdays") else np.nan)
        if spec.references:
            unknown = ok & ~cells.isin(known.contains(spec.references))
            noun = _REFERENCE_NOUN[spec.references]
            out.add_mask(unknown, spec.name, lambda v, n=noun: f"unknown {n} {_show(v)}")
            ok = ok & ~unknown
        frame[spec.name] = values
        parsed_ok[spec.name] = ok
    _check_row_rules(kind, frame, parsed_ok, known, out)
    frame = _derive_keys(kind, frame)
    _check_duplicates(fmt, frame, parsed_ok, out)
    problems = tuple(
        sorted(out.items, key=lambda p: (p.line or 0, _column_rank(fmt, raw, p.column)))
    )
    return ValidatedFrame(kind, raw.file, frame, problems)


def _column_rank(fmt: KindFormat, raw: RawCsv, column: str | None) -> int:
    if column in raw.header:
        return raw.header.index(column)
    if column in fmt.column_names:
        return len(raw.header) + fmt.column_names.index(column)
    return len(raw.header) + len(fmt.column_names)


def _check_row_rules(
    kind: str,
    frame: pd.DataFrame,
    ok: Mapping[str, pd.Series],
    known: ReferenceKeys,
    out: _Collector,
) -> None:
    """Rules across columns and across kinds (parent kinds, dates in order, ...)."""
    if kind == "locations":
        kinds = frame["kind"]
        parent = frame["parent"]
        front = ok["kind"] & (kinds == "front")
        regional = ok["kind"] & (kinds == "regional")
        out.add_mask(front & parent.isna(), "parent", "a front location needs a regional parent")
        parent_kind = parent.map(lambda p: known.locations.get(p) if isinstance(p, str) else None)
        not_regional = front & ok["parent"] & (parent_kind != "regional")
        out.add_mask(
            not_regional,
            "parent",
            lambda v: f"parent {_show(v)} is not a regional location",
        )
        out.add_mask(regional & parent.notna(), "parent", "a regional location has no parent")
        for position in np.flatnonzero((ok["kind"] & (kinds != "regional")).to_numpy()):
            location = frame["location"].iat[position]
            line = int(out.raw.lines[position])
            children = known.children(location)
            if children:
                out.add(
                    line,
                    "kind",
                    f"{_show(location)} is the parent of "
                    f"{', '.join(children)}; it must stay regional",
                )
            if location in known.supplied:
                out.add(
                    line,
                    "kind",
                    f"{_show(location)} receives supply (supply.csv); it must stay regional",
                )
        out.add_mask(
            ok["backup"] & (frame["backup"] == frame["location"]),
            "backup",
            "a location cannot be its own backup",
        )
    elif kind == "lanes":
        same = ok["origin"] & ok["destination"] & (frame["origin"] == frame["destination"])
        out.add_mask(same, "destination", "origin and destination are the same location")
    elif kind == "supply":
        location_kind = frame["location"].map(lambda loc: known.locations.get(loc))
        front = ok["location"] & (location_kind != "regional")
        out.add_mask(
            front,
            "location",
            lambda v: f"suppliers deliver to regional warehouses; {_show(v)} is not regional",
        )
    elif kind == "promotions":
        both = ok["start_date"] & ok["end_date"]
        reversed_dates = both & (frame["end_date"] < frame["start_date"])
        out.add_mask(reversed_dates, "end_date", "end_date is before start_date")


def _derive_keys(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Fill key columns a file may leave blank (documented in docs/data-formats.md)."""
    if kind == "promotions":
        frame["location"] = frame["location"].where(frame["location"].notna(), "")
    elif kind == "purchase_orders":
        derived = (
            frame["sku"].astype(str)
            + "|"
            + frame["location"].astype(str)
            + "|"
            + frame["expected_date"].dt.strftime("%Y-%m-%d").fillna("")
        )
        frame["order_id"] = frame["order_id"].where(frame["order_id"].notna(), derived)
    return frame


def _check_duplicates(
    fmt: KindFormat, frame: pd.DataFrame, ok: Mapping[str, pd.Series], out: _Collector
) -> None:
    """Every row whose natural key repeats an earlier row's is a problem naming that line."""
    key = list(fmt.natural_key)
    usable = pd.Series(True, index=frame.index)
    for name in key:
        if not fmt.column(name).nullable:  # a blank nullable key cell has a derived value
            usable &= ok[name]
    candidates = frame.loc[usable, key]
    repeated = candidates.duplicated(keep="first")
    if not repeated.any():
        return
    first_line: dict[tuple[object, ...], int] = {}
    lines = out.raw.lines
    positions = np.flatnonzero(usable.to_numpy())
    column = ",".join(key)
    for pos, row_key, is_repeat in zip(
        positions,
        candidates.itertuples(index=False, name=None),
        repeated.to_numpy(),
        strict=True,
    ):
        if not is_repeat:
            first_line.setdefault(row_key, int(lines[pos]))
            continue
        out.add(int(lines[pos]), column, f"duplicate key, same as line {first_line[row_key]}")
