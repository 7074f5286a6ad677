"""Validate and prepare forecasting inputs (domain frames -> statsforecast long frames).

Conventions (documented in docs/forecasting.md):
- `history`: one row per (sku, location, date) with `units` = net units sold that period
  (sales minus returns). A negative net (returns exceed sales) is clipped to 0: returns are
  not negative demand. Duplicate (sku, location, date) rows are an error, not summed.
- Gaps: a period missing between a series' first date and the last history date of the
  whole frame is a period with zero sales (the location was open, nothing sold). Feature
  values in gaps are carried forward (then backward) within the series.
- A feature that is 0 where (nearly) nothing sells and non-zero where it sells is named in
  a warning (`forecasting.feature_checks`): it must be known ahead, not recorded from sales.
- Forecasts start the period after the last history date of the whole frame, so every series
  gets the same horizon dates.
- Weekly data: all dates on the same weekday; monthly data: first day of the month.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.config import normalize_freq
from forecasting.errors import ForecastInputError
from forecasting.feature_checks import features_marking_zero_sales

KEY_COLUMNS = ("sku", "location", "date")
HISTORY_COLUMNS = ("sku", "location", "date", "units")
HOLIDAY_FEATURE = "public_holidays"
_MAX_ROWS_LISTED = 5
_MAX_COLUMNS_LISTED = 8
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass(frozen=True)
class PreparedInputs:
    """Inputs in statsforecast form.

    - `ids`: `unique_id, sku, location` (unique_id an int code).
    - `train`: `unique_id, ds, y` + `features`, gap-filled, sorted by id and ds.
    - `future`: `unique_id, ds` + `features` over the horizon for every series in `train`
      (None when there are no features).
    - `new_ids`: unique_ids (in `ids`) that appear only in the future frame (no history).
    - `horizon_dates`: the horizon periods; `sf_freq`: the pandas frequency string.
    """

    ids: pd.DataFrame
    train: pd.DataFrame
    future: pd.DataFrame | None
    features: tuple[str, ...]
    new_ids: tuple[int, ...]
    horizon_dates: pd.DatetimeIndex
    sf_freq: str
    warnings: tuple[str, ...]


def _rows(index: Sequence[int] | pd.Index) -> str:
    """'rows 2, 5, 9' (1-based data rows), shortened after a few."""
    numbers = [int(i) + 1 for i in list(index)[:_MAX_ROWS_LISTED]]
    more = len(index) - len(numbers)
    text = ", ".join(str(n) for n in numbers)
    return f"row{'s' if len(index) > 1 else ''} {text}" + (f" (and {more} more)" if more else "")


def _parse_dates(frame: pd.DataFrame, name: str, problems: list[str]) -> pd.Series | None:
    parsed, ambiguous = read_dates(frame["date"])
    if ambiguous:
        problems.append(
            f"{name}: column 'date' reads both as day-first and as month-first (e.g. "
            f"{ambiguous!r}); write the dates as YYYY-MM-DD"
        )
        return None
    bad = frame.index[parsed.isna()]
    if len(bad):
        problems.append(f"{name} {_rows(bad)}: column 'date' is not a date")
        return None
    return parsed


def read_dates(values: pd.Series) -> tuple[pd.Series, str | None]:
    """(`values` as normalized, timezone-naive dates, NaT where unreadable; None, or one
    value that makes the column ambiguous).

    Datetime values are kept. Other values are read as text (integers such as 20240131 as
    YYYYMMDD): ISO 8601 (year first) when every value is; otherwise as pandas reads them
    month-first (01/31/2024), or day-first where that reads more of the column
    (31.01.2024). A column that reads in full both ways with different dates (only days up
    to 12: 01.03.2024 is 1 March or 3 January) is ambiguous, not guessed.
    Each distinct value is parsed once (a long history has few distinct dates).
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.Series(pd.to_datetime(values), index=values.index)
        if parsed.dt.tz is not None:
            parsed = parsed.dt.tz_localize(None)
        return parsed.dt.normalize(), None
    distinct = pd.Index(pd.unique(values.to_numpy()))
    text = pd.Index([None if pd.isna(v) else str(v).strip() for v in distinct], dtype=object)
    positions = distinct.get_indexer(values.to_numpy())
    read = _dates_of(text, format="ISO8601").to_numpy(copy=True)  # year first: unambiguous
    rest = np.isnat(read) & np.array([t is not None for t in text], dtype=bool)
    if rest.any():  # the others (01/31/2024, 31.01.2024) as one column of their own
        month_first = _dates_of(text[rest], dayfirst=False)
        day_first = _dates_of(text[rest], dayfirst=True)
        differs = np.flatnonzero(
            (month_first.notna() & day_first.notna() & (month_first != day_first)).to_numpy()
        )
        n_month, n_day = int(month_first.notna().sum()), int(day_first.notna().sum())
        if n_day == n_month and differs.size:
            return pd.Series(pd.NaT, index=values.index), str(text[rest][differs[0]])
        read[rest] = (day_first if n_day > n_month else month_first).to_numpy()
    return pd.Series(read[positions], index=values.index), None


def _dates_of(text: pd.Index, *, dayfirst: bool = False, format: str | None = None) -> pd.Series:
    """`text` (distinct date strings or None) parsed by pandas, normalized and naive."""
    with warnings.catch_warnings():  # "Parsing dates in %m/%d/%Y format when dayfirst=True",
        warnings.simplefilter("ignore", UserWarning)  # and mixed UTC offsets (next lines)
        warnings.simplefilter("ignore", FutureWarning)
        parsed = pd.Series(pd.to_datetime(text, errors="coerce", dayfirst=dayfirst, format=format))
    if not pd.api.types.is_datetime64_any_dtype(parsed):  # mixed offsets (daylight saving):
        parsed = pd.Series(  # each value's own wall-clock date
            [pd.NaT if pd.isna(v) else pd.Timestamp(v).tz_localize(None) for v in parsed],
            dtype="datetime64[ns]",
        )
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize()


def _to_dates(values: pd.Series) -> pd.Series:
    """`read_dates` of a column already validated (every value reads, not ambiguous)."""
    return read_dates(values)[0]


FREQ_NAMES = {"D": "daily", "W": "weekly", "M": "monthly"}
# days: a longer median gap between the distinct dates is not monthly data (quarterly: ~91)
LONGEST_MONTHLY_GAP = 45


def resolve_freq(freq: str | None, history: pd.DataFrame) -> tuple[str, str | None]:
    """(frequency code "D", "W" or "M"; None, or a warning naming the frequency read from
    the dates). `freq` given: `normalize_freq(freq)` (ValueError if unknown). None:
    `infer_freq` of the history's dates ("D" without a date column, which validation then
    reports); weekly or monthly is said in the warning, so a file of another frequency is
    never read as daily with zero sales in between unnoticed. Dates a weekly gap apart of
    which no weekday holds half are days with sales (a sparse daily file), not weeks: "D",
    with a warning saying so (a weekly file with a few dates off its weekday stays weekly,
    and validation names those rows); dates weeks apart on one weekday and not month labels
    are weeks (a weekly file listing only the weeks with sales). Dates a median of more
    than LONGEST_MONTHLY_GAP days apart (quarterly, yearly) raise `ForecastInputError`:
    read as months they would get two or eleven months without sales between their rows."""
    if freq is not None:
        code = normalize_freq(freq)
        anchor = freq.strip().upper().partition("-")[2]
        if code == "W" and anchor:
            _check_weekly_anchor(freq, anchor, history)
        return code, None
    if "date" not in history.columns:
        return "D", None
    dates = _distinct_dates(history["date"])
    gap = _median_gap(dates)
    if gap is None:
        return "D", None
    if gap > LONGEST_MONTHLY_GAP:
        raise ForecastInputError(
            [
                f"history: the dates are a median {gap:.0f} days apart (quarterly or yearly"
                " data?); supplycast forecasts daily, weekly or monthly periods: give freq"
                " 'W' or 'M' to forecast weeks or months, each period without a row"
                " counting as zero sales"
            ]
        )
    code = _freq_of_gap(gap)
    # week labels share one weekday, month labels are first or last days (a few odd ones
    # are errors, named by validation)
    one_weekday = pd.Series(dates.weekday).value_counts(normalize=True).iloc[0] >= 0.5
    month_labels = max((dates.day == 1).mean(), dates.is_month_end.mean()) >= 0.5
    if code == "M" and not month_labels and one_weekday:
        code = "W"  # weeks listed only when they sold: two to six weeks apart
    if code == "W" and not one_weekday:
        return "D", (
            f"the dates are a median {gap:.0f} days apart but fall on different weekdays:"
            " forecasting days, each day without a row counting as zero sales (pass freq"
            " 'D', 'W' or 'M' to choose)"
        )
    if code == "D":
        return code, None
    return code, (
        f"the dates are {FREQ_NAMES[code]}: forecasting {FREQ_NAMES[code]} periods "
        f"(freq {code!r}; pass freq 'D', 'W' or 'M' to choose)"
    )


def _check_weekly_anchor(freq: str, anchor: str, history: pd.DataFrame) -> None:
    """Raise `ForecastInputError` when `freq` names a weekday ("W-FRI") that is not a
    weekday name, or that the history's (readable) dates do not fall on."""
    if anchor not in _WEEKDAYS:
        raise ForecastInputError([f"freq {freq!r}: {anchor!r} is not a weekday (MON .. SUN)"])
    if "date" not in history.columns:
        return
    days = read_dates(history["date"])[0].dropna().dt.weekday.unique()
    other = sorted(_WEEKDAYS[d] for d in days if _WEEKDAYS[d] != anchor)
    if other:
        raise ForecastInputError(
            [f"freq {freq!r}: the history's dates fall on {', '.join(other)}, not {anchor}"]
        )


def _missing_examples(values: pd.Series, ids: pd.DataFrame) -> str:
    """'sku A at location L on 2024-05-01, ...' for the first few (unique_id, ds) index
    entries of `values` that are NaN."""
    names = ids.set_index("unique_id")
    missing = values.index[values.isna().to_numpy()][:_MAX_ROWS_LISTED]
    text = ", ".join(
        f"sku {names.at[uid, 'sku']} at location {names.at[uid, 'location']} on "
        f"{pd.Timestamp(ds).date()}"
        for uid, ds in missing
    )
    more = int(values.isna().sum()) - len(missing)
    return text + (f" (and {more} more)" if more > 0 else "")


def _distinct_dates(dates: pd.Series) -> pd.DatetimeIndex:
    """The distinct dates `read_dates` reads in `dates`, sorted (unreadable ones left out)."""
    return pd.DatetimeIndex(read_dates(dates)[0].dropna().unique()).sort_values()


def _median_gap(unique: pd.DatetimeIndex) -> float | None:
    """Median gap in days between sorted distinct dates; None with fewer than two."""
    if len(unique) < 2:
        return None
    return float(pd.Series(unique).diff().dt.days.median())


def infer_freq(dates: pd.Series) -> str:
    """'D', 'W' or 'M' from the median gap between the distinct dates of `dates` (values
    `read_dates` cannot read are ignored): up to 1.5 days daily, up to 10 days weekly, else
    monthly; 'D' with fewer than two distinct dates."""
    return _freq_of_gap(_median_gap(_distinct_dates(dates)))


def _freq_of_gap(gap: float | None) -> str:
    if gap is None or gap <= 1.5:
        return "D"
    if gap <= 10:
        return "W"
    return "M"


def _check_numeric(frame: pd.DataFrame, column: str, name: str, problems: list[str]) -> None:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame.index[values.isna() & frame[column].notna()]
    if len(bad):
        problems.append(f"{name} {_rows(bad)}: column '{column}' is not numeric")


def _check_keys(
    frame: pd.DataFrame, dates: pd.Series, name: str, problems: list[str], *, check_order: bool
) -> None:
    keys = pd.DataFrame(
        {"sku": frame["sku"].astype(str), "location": frame["location"].astype(str), "date": dates}
    )
    dup = keys.index[keys.duplicated(keep=False)]
    if len(dup):
        problems.append(f"{name} {_rows(dup)}: duplicate (sku, location, date)" + _sub_daily(frame))
    if check_order:  # equal dates are the duplicates above
        previous = keys.groupby(["sku", "location"], sort=False)["date"].shift()
        unordered = keys.index[previous.notna() & (keys["date"] < previous)]
        if len(unordered):
            problems.append(
                f"{name} {_rows(unordered)}: dates out of order within (sku, location); "
                "sort each series by ascending date"
            )


def _sub_daily(frame: pd.DataFrame) -> str:
    """'; the dates carry times of day (e.g. ..): ..' when two rows of one series hold
    different date values that fall on the same day (hourly data), else ''."""
    raw = frame[["sku", "location", "date"]].astype(str)
    day = read_dates(frame["date"])[0]
    distinct = raw.assign(day=day).drop_duplicates()
    same_day = distinct[distinct.duplicated(["sku", "location", "day"], keep=False)]
    if same_day.empty:
        return ""
    examples = " and ".join(repr(v) for v in same_day["date"].iloc[:2])
    return (
        f"; the dates carry times of day (e.g. {examples}): supplycast forecasts days or"
        " longer periods, so sum each day's units into one row"
    )


def feature_columns(history: pd.DataFrame) -> tuple[str, ...]:
    """Columns of `history` other than sku, location, date, units (the features)."""
    return tuple(c for c in history.columns if c not in HISTORY_COLUMNS)


def _columns_found(frame: pd.DataFrame) -> str:
    """' (the columns are 'SKU', 'Date', ..)': what a frame missing a column holds (names are
    matched exactly, case included)."""
    names = [repr(str(c)) for c in frame.columns[:_MAX_COLUMNS_LISTED]]
    more = len(frame.columns) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    return f" (the columns are {listed})" if names else " (no columns)"


def validate_history(history: pd.DataFrame, *, check_order: bool = False) -> list[str]:
    """Problems with a history frame (empty list when fine)."""
    problems: list[str] = []
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        return [
            f"history: missing column{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(c) for c in missing)
            + _columns_found(history)
        ]
    if history.empty:
        return ["history: no rows"]
    frame = history.reset_index(drop=True)
    for column in ("sku", "location"):
        bad = frame.index[frame[column].isna()]
        if len(bad):
            problems.append(f"history {_rows(bad)}: column '{column}' is empty")
    dates = _parse_dates(frame, "history", problems)
    _check_numeric(frame, "units", "history", problems)
    bad_units = frame.index[
        pd.to_numeric(frame["units"], errors="coerce").isna() & frame["units"].isna()
    ]
    if len(bad_units):
        problems.append(f"history {_rows(bad_units)}: column 'units' is empty")
    for column in feature_columns(frame):
        _check_numeric(frame, column, "history", problems)
    if dates is not None:
        _check_keys(frame, dates, "history", problems, check_order=check_order)
    return problems


def validate_future(future: pd.DataFrame, *, check_order: bool = False) -> list[str]:
    """Problems with a future-features frame (empty list when fine)."""
    missing = [c for c in KEY_COLUMNS if c not in future.columns]
    if missing:
        return [
            f"future: missing column{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(c) for c in missing)
            + _columns_found(future)
        ]
    problems: list[str] = []
    frame = future.reset_index(drop=True)
    dates = _parse_dates(frame, "future", problems)
    for column in frame.columns:
        if column not in KEY_COLUMNS and column != "units":
            _check_numeric(frame, column, "future", problems)
    if dates is not None:
        _check_keys(frame, dates, "future", problems, check_order=check_order)
    return problems


def _period_codes(dates: pd.Series, freq: str) -> np.ndarray:
    """Integer period number of each date (consecutive periods differ by 1)."""
    if freq == "M":
        return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(np.int64)
    days = dates.to_numpy("datetime64[D]").astype(np.int64)
    return days // 7 if freq == "W" else days


def _sf_freq(freq: str, last: pd.Timestamp) -> str:
    """The pandas frequency of the periods ending at `last`: "D"; "W-<weekday of last>";
    monthly "ME" when `last` is a month's last day (month-end labels, e.g. 2024-03-31),
    else "MS" (first days, checked by `_check_alignment`)."""
    if freq == "D":
        return "D"
    if freq == "W":
        return f"W-{_WEEKDAYS[last.weekday()]}"
    return "ME" if last.is_month_end else "MS"


def _check_alignment(dates: pd.Series, freq: str, problems: list[str], name: str) -> None:
    if freq == "W":
        weekdays = dates.dt.weekday
        bad = dates.index[weekdays != weekdays.iloc[-1]]
        if len(bad):
            problems.append(f"{name} {_rows(bad)}: weekly dates must all fall on the same weekday")
    elif freq == "M":
        firsts, lasts = dates.dt.day == 1, dates.dt.is_month_end
        month_end = int(lasts.sum()) > int(firsts.sum())
        bad = dates.index[~lasts if month_end else ~firsts]
        if len(bad):
            label = "last" if month_end else "first"
            problems.append(
                f"{name} {_rows(bad)}: monthly dates must all be the first day of a month or"
                f" all the last day (most here are the {label} day)"
            )


def holiday_counts(dates: pd.DatetimeIndex, freq: str, country: str) -> np.ndarray:
    """Public holidays (count of days, `holidays` package) in each period.

    A daily period is the day itself; a weekly period the 7 days ending on its date (the
    usual retail "week ending" label); a monthly period the calendar month.
    """
    import holidays

    unique = pd.DatetimeIndex(dates.unique())
    if len(unique) < len(dates):
        per_date = pd.Series(holiday_counts(unique, freq, country), index=unique)
        return per_date.reindex(dates).to_numpy(float)
    years = range(dates.min().year - 1, dates.max().year + 2)
    calendar = holidays.country_holidays(country, years=years)
    days = pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in calendar))
    if freq == "D":
        return dates.isin(days).astype(float)
    if freq == "W":
        starts = dates - pd.Timedelta(days=6)
        return np.array(
            [((days >= s) & (days <= e)).sum() for s, e in zip(starts, dates, strict=True)], float
        )
    month = dates.to_period("M")
    return np.array([(days.to_period("M") == m).sum() for m in month], float)


def prepare_inputs(
    history: pd.DataFrame,
    horizon: int,
    *,
    freq: str,
    future: pd.DataFrame | None = None,
    holiday_country: str | None = None,
    strict_future: bool = False,
) -> PreparedInputs:
    """Validate `history`/`future` and build statsforecast frames. See the module docstring.

    Raises ForecastInputError naming columns/rows. A feature without complete future values
    is dropped with a warning, or raises when `strict_future` is set (the CLI sets it).
    """
    problems: list[str] = []
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral):
        problems.append(f"horizon must be a whole number of periods, got {horizon!r}")
    elif horizon <= 0:
        problems.append(f"horizon must be a positive number of periods, got {horizon}")
    problems += validate_history(history)
    if future is not None:
        problems += validate_future(future)
    if problems:
        raise ForecastInputError(problems)
    warnings: list[str] = []
    hist = history.reset_index(drop=True).copy()
    hist["sku"] = hist["sku"].astype(str)
    hist["location"] = hist["location"].astype(str)
    hist["date"] = _to_dates(hist["date"])
    features = list(feature_columns(hist))
    for column in ["units", *features]:
        hist[column] = pd.to_numeric(hist[column], errors="coerce").astype(float)
    _check_alignment(hist["date"], freq, problems, "history")
    if problems:
        raise ForecastInputError(problems)
    negative = int((hist["units"] < 0).sum())
    if negative:
        warnings.append(f"{negative} history rows with negative net units (returns) set to 0")
        hist["units"] = hist["units"].clip(lower=0)
    warnings += features_marking_zero_sales(hist, features)

    last = hist["date"].max()
    sf_freq = _sf_freq(freq, last)
    horizon_dates = pd.date_range(last, periods=horizon + 1, freq=sf_freq)[1:]

    fut = None
    if future is not None:
        fut = future.reset_index(drop=True).copy()
        fut["sku"] = fut["sku"].astype(str)
        fut["location"] = fut["location"].astype(str)
        fut["date"] = _to_dates(fut["date"])
        outside = fut.index[~fut["date"].isin(horizon_dates)]
        if len(outside):
            message = (
                f"future {_rows(outside)}: date outside the horizon "
                f"{horizon_dates[0].date()}..{horizon_dates[-1].date()}"
            )
            if strict_future:
                raise ForecastInputError([message])
            warnings.append(message + "; those rows are ignored")
            fut = fut.loc[~fut.index.isin(outside)]

    # Series ids: history series first, then series only known from the future frame.
    ids = hist[["sku", "location"]].drop_duplicates().sort_values(["sku", "location"])
    new_pairs = pd.DataFrame(columns=["sku", "location"])
    if fut is not None:
        pairs = fut[["sku", "location"]].drop_duplicates()
        merged = pairs.merge(ids, how="left", indicator=True)
        new_pairs = merged.loc[merged["_merge"] == "left_only", ["sku", "location"]]
    ids = pd.concat([ids, new_pairs.sort_values(["sku", "location"])], ignore_index=True)
    ids.insert(0, "unique_id", np.arange(len(ids), dtype=np.int64))
    n_hist = len(ids) - len(new_pairs)
    new_ids = tuple(int(i) for i in ids["unique_id"].iloc[n_hist:])

    hist = hist.merge(ids, on=["sku", "location"], how="left")
    hist["period"] = _period_codes(hist["date"], freq)
    hist = hist.sort_values(["unique_id", "period"])
    end = _period_codes(pd.Series([last]), freq)[0]
    starts = hist.groupby("unique_id", sort=True)["period"].min()
    lengths = (end - starts.to_numpy() + 1).astype(np.int64)
    grid_ids = np.repeat(starts.index.to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    grid_periods = np.repeat(starts.to_numpy(), lengths) + offsets
    grid = pd.DataFrame({"unique_id": grid_ids, "period": grid_periods})
    train = grid.merge(
        hist[["unique_id", "period", "units", *features]], how="left", on=["unique_id", "period"]
    )
    gaps = int(train["units"].isna().sum())
    if gaps:
        warnings.append(f"{gaps} missing periods filled with zero sales")
    train["units"] = train["units"].fillna(0.0)
    steps_back = (end - train["period"]).to_numpy()
    train["ds"] = _dates_back(last, steps_back, sf_freq, freq)
    train = train.rename(columns={"units": "y"})
    if features:
        train[features] = train.groupby("unique_id")[features].ffill()
        train[features] = train.groupby("unique_id")[features].bfill().fillna(0.0)

    kept: list[str] = []
    future_frame = None
    if features:
        if fut is None:
            warnings.append(f"no future values given; features dropped: {', '.join(features)}")
        else:
            fut = fut.merge(ids, on=["sku", "location"], how="left")
            need = pd.MultiIndex.from_product(
                [ids["unique_id"].iloc[:n_hist], horizon_dates], names=["unique_id", "ds"]
            )
            fut_indexed = fut.rename(columns={"date": "ds"}).set_index(["unique_id", "ds"])
            for feature in features:
                if feature not in fut_indexed.columns:
                    reason = f"feature '{feature}' has no column in the future frame"
                else:
                    values = pd.to_numeric(fut_indexed[feature], errors="coerce").reindex(need)
                    n_missing = int(values.isna().sum())
                    if n_missing == 0:
                        kept.append(feature)
                        continue
                    reason = (
                        f"feature '{feature}' has no future value"
                        f" for {n_missing} series x date rows, e.g. "
                        + _missing_examples(values, ids)
                    )
                if strict_future:  # "future: ..." so that a caller can name its file
                    raise ForecastInputError([f"future: {reason}"])
                warnings.append(reason + "; feature dropped")
            if kept:
                future_frame = fut_indexed[kept].apply(pd.to_numeric).reindex(need).reset_index()
    train = train[["unique_id", "ds", "y", *kept]]

    if holiday_country:
        hist_holidays = holiday_counts(pd.DatetimeIndex(train["ds"]), freq, holiday_country)
        if np.ptp(hist_holidays) > 0 and HOLIDAY_FEATURE not in kept:
            train[HOLIDAY_FEATURE] = hist_holidays
            if future_frame is None:
                future_frame = pd.DataFrame(
                    {
                        "unique_id": np.repeat(ids["unique_id"].iloc[:n_hist].to_numpy(), horizon),
                        "ds": np.tile(horizon_dates, n_hist),
                    }
                )
            future_frame[HOLIDAY_FEATURE] = holiday_counts(
                pd.DatetimeIndex(future_frame["ds"]), freq, holiday_country
            )
            kept.append(HOLIDAY_FEATURE)

    return PreparedInputs(
        ids=ids,
        train=train.reset_index(drop=True),
        future=future_frame,
        features=tuple(kept),
        new_ids=new_ids,
        horizon_dates=horizon_dates,
        sf_freq=sf_freq,
        warnings=tuple(warnings),
    )


def _dates_back(last: pd.Timestamp, steps_back: np.ndarray, sf_freq: str, freq: str) -> np.ndarray:
    """Dates `steps_back` periods before `last`."""
    if freq == "M":
        base = last.year * 12 + last.month - 1
        codes = base - steps_back
        years, months = np.divmod(codes, 12)
        firsts = pd.to_datetime({"year": years, "month": months + 1, "day": np.ones_like(years)})
        if sf_freq == "ME":
            return (firsts + pd.offsets.MonthEnd(0)).to_numpy()
        return firsts.to_numpy()
    unit = 7 if freq == "W" else 1
    offsets = np.asarray(steps_back, dtype=np.int64) * unit
    offsets = offsets.astype("timedelta64[D]")
    return np.asarray(np.datetime64(last.date(), "D") - offsets).astype("datetime64[ns]")
