"""Validation and normalisation of the replenishment inputs (P.csv, I.csv, F.csv, H.csv forms).

Every check collects all its problems before raising one :class:`ReplenishmentInputError`;
each problem names the frame, the data row (1-based, as in a CSV file without its header,
so CSV line = row + 1) and the sku/location, so a planner can fix the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

KEY = ["sku", "location"]

POLICY_REQUIRED = ["sku", "location", "lead_time_days", "review_period_days", "service_level"]
POLICY_OPTIONAL_NUMERIC = {
    "lead_time_std_days": 0.0,
    "moq": 0.0,
    "pack_size": 1.0,
    "max_units": np.inf,
    "shelf_life_days": np.inf,
    "unit_cost": np.nan,
    "initial_on_hand": np.nan,
    "order_quantity": np.nan,
    "min_fill_rate": np.nan,  # floor on an implied fill rate in a service_group; blank = default
}
SERVICE_TYPES = ("fill_rate", "cycle")
POLICY_TYPES = ("order_up_to", "s_q", "s_s")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUANTILE_COLUMN = re.compile(r"^p(\d{2})$")
CUMULATIVE_QUANTILE_COLUMN = re.compile(r"^cum_p(\d{2})$")


class ReplenishmentInputError(ValueError):
    """Bad replenishment input; `.problems` lists one message per problem (rows named)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _row_label(frame_name: str, frame: pd.DataFrame, positions: Iterable[int]) -> list[str]:
    labels = []
    for pos in positions:
        row = frame.iloc[pos]
        key = ""
        if "sku" in frame.columns and "location" in frame.columns:
            key = f" (sku={row['sku']}, location={row['location']})"
        labels.append(f"{frame_name} row {pos + 1} (line {pos + 2}){key}")
    return labels


def _positional(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` indexed 0..n-1 (row labels = positions); not copied when it already is (a
    reset_index copies every column: ~200 MB for 100,000 series x 28 forecast days)."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def _require_columns(frame_name: str, frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    missing = [c for c in columns if c not in frame.columns]
    return [f"{frame_name}: missing required column '{c}'" for c in missing]


def _numeric(
    frame_name: str, frame: pd.DataFrame, column: str, default: float | None, problems: list[str]
) -> np.ndarray:
    """Column as float array; blanks take `default` (None = blank is a problem)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan if default is None else default, dtype=float)
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw):  # bool dtypes included
        values = raw.to_numpy(dtype=float)
        blank = np.isnan(values)
    else:
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        blank = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
    bad = np.isnan(values) & ~blank
    for label in _row_label(frame_name, frame, np.flatnonzero(bad)):
        problems.append(f"{label}: column '{column}' is not a number")
    if default is None:
        for label in _row_label(frame_name, frame, np.flatnonzero(blank)):
            problems.append(f"{label}: column '{column}' is blank")
    else:
        values = np.where(blank, default, values)
    return values


def _check(
    frame_name: str,
    frame: pd.DataFrame,
    mask: np.ndarray,
    message: str,
    problems: list[str],
) -> None:
    for label in _row_label(frame_name, frame, np.flatnonzero(mask)):
        problems.append(f"{label}: {message}")


def _duplicates(frame_name: str, frame: pd.DataFrame, key: list[str], problems: list[str]) -> None:
    dup = frame.duplicated(subset=key, keep="first").to_numpy()
    _check(frame_name, frame, dup, f"duplicate {'/'.join(key)}", problems)


def parse_order_days(value: object) -> frozenset[int]:
    """'Mon,Thu' / 'mon;thu' / 'Mon Thu' -> {0, 3}; blank -> empty set (every day).

    Raises ValueError for an unknown day name.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    tokens = [t for t in re.split(r"[,;\s|/]+", str(value).strip().lower()) if t]
    days = set()
    for token in tokens:
        if token[:3] not in WEEKDAYS:
            raise ValueError(f"unknown weekday '{token}'")
        days.add(WEEKDAYS.index(token[:3]))
    return frozenset(days)


# Policy columns that must be > 0 (strict) or >= 0, in the order their problems are listed.
POLICY_SIGN_CHECKS = (
    ("lead_time_days", False),
    ("review_period_days", False),
    ("lead_time_std_days", False),
    ("moq", False),
    ("pack_size", True),
    ("max_units", False),
    ("shelf_life_days", True),
    ("initial_on_hand", False),
    ("order_quantity", True),
)


def normalize_policy(policy: pd.DataFrame, *, name: str = "policy") -> pd.DataFrame:
    """Validated policy frame with every optional column filled (defaults above).

    Checks: required columns, numbers, service_level in (0, 1), lead_time_days >= 0,
    review_period_days >= 0, lead_time_std_days >= 0, moq >= 0, pack_size > 0,
    max_units >= 0, shelf_life_days > 0, service_type in {fill_rate, cycle}, policy_type
    in {order_up_to, s_q, s_s}, order_days names, one service_level per `service_group`
    (text; blank = no group, stored as ""), min_fill_rate in (0, 1) and <= service_level
    (blank = NaN: the planner's default floor), duplicate sku/location.
    """
    problems = _require_columns(name, policy, POLICY_REQUIRED)
    if problems:
        raise ReplenishmentInputError(problems)
    frame = _positional(policy)
    columns: dict[str, object] = {
        "sku": frame["sku"].astype(str),
        "location": frame["location"].astype(str),
    }
    for column in ("lead_time_days", "review_period_days", "service_level"):
        columns[column] = _numeric(name, frame, column, None, problems)
    for column, default in POLICY_OPTIONAL_NUMERIC.items():
        columns[column] = _numeric(name, frame, column, default, problems)
    out = pd.DataFrame(columns)
    with np.errstate(invalid="ignore"):
        sl = out["service_level"].to_numpy()
        _check(
            name,
            frame,
            (sl <= 0) | (sl >= 1),
            "service_level must be strictly between 0 and 1",
            problems,
        )
        for column, strict in POLICY_SIGN_CHECKS:
            values = out[column].to_numpy()
            _check(
                name,
                frame,
                values <= 0 if strict else values < 0,
                f"{column} must be {'>' if strict else '>='} 0",
                problems,
            )
        floor = out["min_fill_rate"].to_numpy()
        _check(
            name,
            frame,
            (floor <= 0) | (floor >= 1),
            "min_fill_rate must be strictly between 0 and 1",
            problems,
        )
        _check(
            name,
            frame,
            (floor > 0) & (floor < 1) & (floor > sl),
            "min_fill_rate is above service_level: a floor on an item's share of a group "
            "target cannot exceed the target",
            problems,
        )
    for column, allowed, fallback in (
        ("service_type", SERVICE_TYPES, "fill_rate"),
        ("policy_type", POLICY_TYPES, "order_up_to"),
    ):
        if column in frame.columns:
            values = _text(frame[column]).str.strip().str.lower()
            values = values.where(values != "", fallback)
        else:
            values = pd.Series(fallback, index=frame.index)
        _check(
            name,
            frame,
            ~values.isin(allowed).to_numpy(),
            f"{column} must be one of {', '.join(allowed)}",
            problems,
        )
        out[column] = values.to_numpy()
    if "order_days" in frame.columns:
        codes, uniques = pd.factorize(_text(frame["order_days"]))
        parsed: list[frozenset[int]] = []
        for index, value in enumerate(uniques):
            try:
                parsed.append(parse_order_days(value))
            except ValueError as exc:
                parsed.append(frozenset())
                _check(name, frame, codes == index, f"order_days: {exc}", problems)
        out["order_days"] = [parsed[c] for c in codes]  # no -1 codes: blanks filled with ""
    else:
        out["order_days"] = [frozenset()] * len(frame)
    if "service_group" in frame.columns:
        out["service_group"] = _text(frame["service_group"]).str.strip().to_numpy()
    else:
        out["service_group"] = ""
    _mixed_group_levels(name, frame, out, problems)
    _duplicates(name, frame, KEY, problems)
    if problems:
        raise ReplenishmentInputError(problems)
    return out


def _mixed_group_levels(
    name: str, frame: pd.DataFrame, out: pd.DataFrame, problems: list[str]
) -> None:
    """One problem per row of a service_group whose rows do not share one service_level
    (the group's aggregate fill rate is a single number)."""
    grouped = out[out["service_group"] != ""].groupby("service_group", sort=False)
    for group, rows in grouped["service_level"]:
        levels = rows.dropna().unique()
        if len(levels) <= 1:
            continue
        listed = ", ".join(f"{level:g}" for level in sorted(levels))
        _check(
            name,
            frame,
            out.index.isin(rows.index),
            f"service_group '{group}' mixes service levels ({listed}); "
            "a group has one service_level",
            problems,
        )


def _text(column: pd.Series) -> pd.Series:
    """A text column as strings with blanks (NaN/None) as "". Works for object and
    categorical columns (the CLI reads text columns of files over 1,000,000 rows as
    categoricals, where fillna("") fails: "" is not a category)."""
    values = column.astype(object)
    return values.where(values.notna(), "").astype(str)


def normalize_inventory(
    inventory: pd.DataFrame, policy: pd.DataFrame, *, name: str = "inventory"
) -> pd.DataFrame:
    """Validated inventory frame `sku, location, on_hand, on_order` (on_order blank -> 0).

    Every sku/location must have a policy row (unknown ones are named); on_order < 0 and
    duplicates are errors. A negative on_hand is accepted as backlog.
    """
    problems = _require_columns(name, inventory, ["sku", "location", "on_hand"])
    if problems:
        raise ReplenishmentInputError(problems)
    frame = _positional(inventory)
    out = pd.DataFrame({"sku": frame["sku"].astype(str), "location": frame["location"].astype(str)})
    out["on_hand"] = _numeric(name, frame, "on_hand", None, problems)
    out["on_order"] = _numeric(name, frame, "on_order", 0.0, problems)
    _check(name, frame, out["on_order"].to_numpy() < 0, "on_order must be >= 0", problems)
    known = pd.MultiIndex.from_frame(policy[KEY].astype(str))
    unknown = ~pd.MultiIndex.from_frame(out[KEY]).isin(known)
    _check(name, frame, unknown, "unknown sku/location (no policy row for it)", problems)
    _duplicates(name, frame, KEY, problems)
    if problems:
        raise ReplenishmentInputError(problems)
    return out


def _crossing_quantiles(
    frame_name: str,
    frame: pd.DataFrame,
    columns: dict[float, str],
    values: dict[float, np.ndarray],
    problems: list[str],
) -> None:
    """A problem per row whose quantiles (`columns`: {level: name}, `values`: {level: array},
    blanks NaN) fall as the level rises, e.g. p10 = 5 and p90 = 1: such a forecast is broken
    (a band read from it would be negative, and with it the safety stock). Equal values are
    fine (p10 = p50 = 0 on a slow mover). Tolerance: 1e-9 x max(1, |value|), for values
    written with rounding."""
    if len(columns) < 2:
        return
    levels = list(columns)
    table = np.column_stack([values[level] for level in levels])
    before = np.fmax.accumulate(table, axis=1)[:, :-1]  # largest earlier value, NaN skipped
    tolerance = 1e-9 * np.maximum(1.0, np.abs(table[:, 1:]))
    falls = table[:, 1:] < before - tolerance  # False where either side is NaN
    for pos in np.flatnonzero(falls.any(axis=1)):
        shown = ", ".join(
            f"{columns[level]}={value:g}"
            for level, value in zip(levels, table[pos], strict=True)
            if not np.isnan(value)
        )
        (label,) = _row_label(frame_name, frame, [int(pos)])
        problems.append(f"{label}: quantiles must not fall as the level rises ({shown})")


def quantile_columns(
    frame: pd.DataFrame, pattern: re.Pattern[str] = QUANTILE_COLUMN
) -> dict[float, str]:
    """{level: column} for the F.csv quantile columns p01..p99 (or, with
    `pattern=CUMULATIVE_QUANTILE_COLUMN`, the cumulative ones cum_p01..cum_p99)."""
    found = {}
    for column in frame.columns:
        match = pattern.match(str(column))
        if match and 0 < int(match.group(1)) < 100:
            found[int(match.group(1)) / 100.0] = str(column)
    return dict(sorted(found.items()))


def _as_text(values: pd.Series) -> pd.Series:
    """Text keys: object and categorical-of-text columns as they are, others as str."""
    if values.dtype == object:
        return values
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == object:
        return values
    return values.astype(str)


@dataclass(frozen=True)
class ForecastTable:
    """Validated forecasts as aligned arrays (row order of the input).

    `key` is an integer code per (sku, location): sku_code * len(locations) + location_code
    into `skus` / `locations`; `date` is datetime64[ns] normalized; `quantiles` maps a level
    (0-1) to its values; `cold_start` is a bool per row. `cumulative_quantiles` maps a level
    to the `cum_pNN` column: on a series' k-th row (rows by date) the quantile of the
    series' total demand over its rows 1..k (units; NaN = not available on that row); empty
    when the frame has no such columns.
    """

    skus: pd.Index
    locations: pd.Index
    key: np.ndarray
    date: np.ndarray
    mean: np.ndarray
    quantiles: dict[float, np.ndarray]
    cold_start: np.ndarray
    cumulative_quantiles: dict[float, np.ndarray] = field(default_factory=dict)

    def codes_for(self, sku: pd.Series, location: pd.Series) -> np.ndarray:
        """The key code of each (sku, location) pair; -1 when absent from the forecasts."""
        s = self.skus.get_indexer(_as_text(sku))
        loc = self.locations.get_indexer(_as_text(location))
        return np.where((s >= 0) & (loc >= 0), s.astype(np.int64) * len(self.locations) + loc, -1)


def normalize_forecasts(forecasts: pd.DataFrame, *, name: str = "forecasts") -> ForecastTable:
    """Validated forecasts: dates, numeric `mean`, `pNN` quantiles and cumulative `cum_pNN`
    quantiles (blank = not available on that row), `cold_start` per row.

    `cold_start` is taken from a boolean column of that name when present, else from a
    `model` name containing "cold". Missing columns, bad dates, non-numeric means,
    quantiles that fall as the level rises (`pNN` or `cum_pNN`) and duplicate
    sku/location/date rows are errors naming the rows.
    """
    problems = _require_columns(name, forecasts, ["sku", "location", "date", "mean"])
    if problems:
        raise ReplenishmentInputError(problems)
    frame = _positional(forecasts)
    sku_codes, skus = pd.factorize(_as_text(frame["sku"]))
    loc_codes, locations = pd.factorize(_as_text(frame["location"]))
    key = sku_codes.astype(np.int64) * max(len(locations), 1) + loc_codes
    raw_dates = frame["date"]
    if pd.api.types.is_datetime64_any_dtype(raw_dates):
        dates = raw_dates.dt.tz_localize(None) if getattr(raw_dates.dt, "tz", None) else raw_dates
    else:
        dates = pd.to_datetime(raw_dates, errors="coerce")
    dates = dates.dt.normalize().astype("datetime64[ns]")
    _check(name, frame, dates.isna().to_numpy(), "date is not a valid date (YYYY-MM-DD)", problems)
    mean = _numeric(name, frame, "mean", None, problems)
    quantile_names = quantile_columns(frame)
    cumulative_names = quantile_columns(frame, CUMULATIVE_QUANTILE_COLUMN)
    quantiles = {
        level: _numeric(name, frame, column, np.nan, problems)
        for level, column in quantile_names.items()
    }
    cumulative = {
        level: _numeric(name, frame, column, np.nan, problems)
        for level, column in cumulative_names.items()
    }
    _crossing_quantiles(name, frame, quantile_names, quantiles, problems)
    _crossing_quantiles(name, frame, cumulative_names, cumulative, problems)
    if "cold_start" in frame.columns:
        flag = (
            frame["cold_start"]
            .astype(str)
            .str.strip()
            .str.lower()
            .isin(["true", "1", "yes"])
            .to_numpy()
        )
    elif "model" in frame.columns:
        codes, uniques = pd.factorize(_as_text(frame["model"]))
        lookup = np.asarray([("cold" in str(u).lower()) for u in uniques] + [False], dtype=bool)
        flag = lookup[codes]  # code -1 (missing model) -> False
    else:
        flag = np.zeros(len(frame), dtype=bool)
    day = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    order = np.lexsort((day, key))
    sorted_key, sorted_day = key[order], day[order]
    same = (sorted_key[1:] == sorted_key[:-1]) & (sorted_day[1:] == sorted_day[:-1])
    duplicate = np.zeros(len(frame), dtype=bool)
    duplicate[order[1:][same]] = True
    _check(name, frame, duplicate, "duplicate sku/location/date", problems)
    if problems:
        raise ReplenishmentInputError(problems)
    return ForecastTable(
        skus=pd.Index(skus),
        locations=pd.Index(locations),
        key=key,
        date=dates.to_numpy(),
        mean=mean,
        quantiles=quantiles,
        cold_start=flag,
        cumulative_quantiles=cumulative,
    )
