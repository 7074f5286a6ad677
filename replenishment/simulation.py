"""Policy simulator: replay real demand history day by day under the replenishment engine.

Rules (docs/replenishment.md states them for independent reproduction):

- The days are the history's dates from `start` to `end` (default: the last history date);
  for daily history every calendar day in that range is a day; given `freq` "W" or "M"
  every week or month is (also when the file lists only the periods with sales:
  `supplycast simulate` reads the frequency as `supplycast forecast` does). A series
  without a history row on a day has demand 0 that day; negative units count as 0. Unmet
  demand is lost.
- Each day, in this order: (1) orders due that day arrive; (2) perishable units whose age
  reached shelf_life_days expire (a unit that arrived on day a is spoiled at the start of
  day a + shelf_life_days); (3) on a review day the policy plans with a forecast made from
  history strictly before that day and places its order, which arrives on the first day
  >= day + lead_time_days (the same day when lead_time_days = 0, before demand);
  (4) demand is served from stock, oldest units first; (5) the trace row is recorded.
- Review days are start, start + R, start + 2R, ... (R = review_period_days; on a
  non-daily calendar, the first history date on or after each of those).
  R = 0 means every day.
- Starting stock on `start` is the policy's order-up-to level that day (with nothing on
  hand or on order), unless the policy has `initial_on_hand`; it counts as arrived on
  `start`. The start day's review then finds the position at order-up-to and orders
  nothing unless the policy says otherwise (s_q / s_s, order days).
- Pack size, MOQ, maximum units and the perishable cap apply as in plan_replenishment;
  lead_time_std_days only widens the safety stock: simulated lead times are fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from replenishment.inputs import KEY, ReplenishmentInputError, normalize_policy
from replenishment.planning import plan_replenishment

Forecaster = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
"""(history strictly before the review day, future frame `sku, location, date` + the
history's feature columns over the protection interval) -> forecasts in F.csv form."""

TRACE_COLUMNS = [
    "sku",
    "location",
    "date",
    "demand",
    "served",
    "lost",
    "received",
    "ordered",
    "spoiled",
    "on_hand_end",
    "on_order_end",
]
SUMMARY_COLUMNS = [
    "sku",
    "location",
    "fill_rate",
    "avg_on_hand",
    "stockout_days",
    "spoiled",
    "orders",
]


@dataclass(frozen=True)
class SimulationResult:
    """Day-by-day trace (TRACE.csv form) and per-series summary with an `ALL` row (SUM.csv)."""

    trace: pd.DataFrame
    summary: pd.DataFrame


def _calendar(
    dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp, freq: str | None = None
) -> pd.DatetimeIndex:
    """The simulated days from `start` to `end`: every calendar day for daily history
    (`freq` "D", or None with distinct dates a median of at most one day apart); with
    `freq` "W" every week on the history's most common weekday, with "M" every month on
    its first day, or its last where the history labels months so; with None otherwise
    the history's own dates. A period without a history row is simulated with demand 0,
    as the forecaster counts it (a file listing only the weeks with sales)."""
    unique = pd.DatetimeIndex(sorted(dates.unique()))
    gaps = np.diff(unique.asi8) / 86_400e9 if len(unique) > 1 else np.array([1.0])
    if freq == "D" or (freq is None and np.median(gaps) <= 1.0):
        return pd.date_range(start, end, freq="D")
    if freq == "W" and len(unique):
        weekday = int(pd.Series(unique.weekday).mode().iloc[0])
        first = start + pd.Timedelta(days=(weekday - start.weekday()) % 7)
        return pd.date_range(first, end, freq="7D")
    if freq == "M" and len(unique):
        return pd.date_range(start, end, freq="ME" if unique.is_month_end.mean() > 0.5 else "MS")
    return unique[(unique >= start) & (unique <= end)]


def _step_days(grid: pd.DatetimeIndex) -> float:
    if len(grid) < 2:
        return 1.0
    return float(np.median(np.diff(grid.asi8)) / 86_400e9)


def _normalize_history(history: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (*KEY, "date", "units") if c not in history.columns]
    if missing:
        raise ReplenishmentInputError([f"history: missing required column '{c}'" for c in missing])
    frame = history.reset_index(drop=True).copy()
    frame["sku"] = frame["sku"].astype(str)
    frame["location"] = frame["location"].astype(str)
    problems = []
    dates = pd.to_datetime(frame["date"], errors="coerce")
    for pos in np.flatnonzero(dates.isna().to_numpy()):
        problems.append(
            f"history row {pos + 1} (line {pos + 2}): date is not a valid date (YYYY-MM-DD)"
        )
    units = pd.to_numeric(frame["units"], errors="coerce")
    for pos in np.flatnonzero(units.isna().to_numpy()):
        problems.append(f"history row {pos + 1} (line {pos + 2}): column 'units' is not a number")
    frame["date"] = dates.dt.normalize()
    frame["units"] = units
    dup = frame.duplicated(subset=[*KEY, "date"]).to_numpy()
    for pos in np.flatnonzero(dup):
        problems.append(f"history row {pos + 1} (line {pos + 2}): duplicate sku/location/date")
    if problems:
        raise ReplenishmentInputError(problems)
    return frame.sort_values([*KEY, "date"], kind="stable").reset_index(drop=True)


def simulate(
    history: pd.DataFrame,
    policy: pd.DataFrame,
    forecaster: Forecaster,
    *,
    start: date,
    end: date | None = None,
    freq: str | None = None,
) -> SimulationResult:
    """Replay `history` (H.csv form) from `start` to `end` under `policy` (P.csv form).

    Every policy sku x location is simulated; history rows of other series are ignored
    except as forecaster input. `freq`: the history's frequency as the forecaster reads it
    ("D", "W" or "M"): every day, week or month is simulated even where the history lists
    only the periods with sales; None reads daily history from the dates' median gap and
    otherwise steps by the history's own dates. Returns the trace and the summary (see
    module docstring for the rules). Raises ReplenishmentInputError on bad input.
    """
    pol = normalize_policy(policy)
    hist = _normalize_history(history)
    start_ts = pd.Timestamp(start).normalize()
    last = hist["date"].max() if len(hist) else start_ts
    end_ts = pd.Timestamp(end).normalize() if end is not None else last
    if end_ts < start_ts:
        raise ReplenishmentInputError([f"end {end_ts.date()} is before start {start_ts.date()}"])
    grid = _calendar(hist["date"], start_ts, end_ts, freq)
    if len(grid) == 0:
        raise ReplenishmentInputError(
            [f"history has no dates between {start_ts.date()} and {end_ts.date()}"]
        )
    n, steps = len(pol), len(grid)
    step_days = _step_days(grid)
    key_index = pd.MultiIndex.from_frame(pol[KEY])
    features = [c for c in hist.columns if c not in (*KEY, "date", "units")]

    # demand matrix [series, step]
    in_range = hist[(hist["date"] >= grid[0]) & (hist["date"] <= grid[-1])]
    rows = key_index.get_indexer(pd.MultiIndex.from_frame(in_range[KEY]))
    cols = grid.get_indexer(in_range["date"])
    ok = (rows >= 0) & (cols >= 0)
    demand = np.zeros((n, steps))
    demand[rows[ok], cols[ok]] = np.maximum(in_range["units"].to_numpy(dtype=float)[ok], 0.0)

    lead = pol["lead_time_days"].to_numpy()
    review = pol["review_period_days"].to_numpy()
    shelf = pol["shelf_life_days"].to_numpy()
    has_order_days = np.array([bool(days) for days in pol["order_days"]])
    grid_days = (grid - grid[0]).days.to_numpy(dtype=float)

    lots = np.zeros((n, steps))  # units on hand by arrival step (FIFO by column)
    arrivals = np.zeros((n, steps + 1))  # scheduled receipts; column `steps` = after the end
    next_review = np.zeros(n)  # in days since start
    # the simulated trace columns, after sku, location, date, demand
    out = {name: np.zeros((n, steps)) for name in TRACE_COLUMNS[TRACE_COLUMNS.index("served") :]}

    def plan_for(
        due: np.ndarray, t: int, on_hand: np.ndarray, on_order: np.ndarray
    ) -> pd.DataFrame:
        day = grid[t]
        sub_pol = policy.reset_index(drop=True).iloc[due]
        # order days make R the days to the next order day (at most 7)
        extra = 7.0 if any(has_order_days[due]) else 0.0
        protection = float(np.max(lead[due] + np.maximum(review[due], 1.0))) + extra
        future_dates = _future_dates(grid, t, protection, step_days)
        keys = pol.iloc[due][KEY]
        future = keys.merge(pd.DataFrame({"date": future_dates}), how="cross")
        if features:
            known = hist[hist["date"] >= day][[*KEY, "date", *features]]
            future = future.merge(known, on=[*KEY, "date"], how="left")
            past = hist[hist["date"] < day].groupby(KEY, sort=False)[features].last()
            future = future.set_index(KEY)
            future[features] = future[features].fillna(past.reindex(future.index)).to_numpy()
            future = future.reset_index()
            future[features] = future.groupby(KEY, sort=False)[features].ffill()
        past_rows = hist[(hist["date"] < day)]
        past_rows = past_rows[
            pd.MultiIndex.from_frame(past_rows[KEY]).isin(pd.MultiIndex.from_frame(keys))
        ]
        forecasts = forecaster(_through_period_before(past_rows, grid, day, features), future)
        inventory = keys.assign(on_hand=on_hand[due], on_order=on_order[due])
        return plan_replenishment(forecasts, inventory, sub_pol, as_of=day.date())

    initial = pol["initial_on_hand"].to_numpy()
    for t in range(steps):
        day_offset = grid_days[t]
        # (1) receipts
        received = arrivals[:, t].copy()
        lots[:, t] += received
        # (2) expiry
        age = day_offset - grid_days[: t + 1]
        expired = age[None, :] >= shelf[:, None]
        spoiled = np.where(expired, lots[:, : t + 1], 0.0).sum(axis=1)
        lots[:, : t + 1] = np.where(expired, 0.0, lots[:, : t + 1])
        on_hand = lots[:, : t + 1].sum(axis=1)
        on_order = arrivals[:, t + 1 :].sum(axis=1)
        # (3) review and order
        due = np.flatnonzero(next_review <= day_offset + 1e-9)
        ordered = np.zeros(n)
        if len(due):
            if t == 0:
                need_start = due[np.isnan(initial[due])]
                if len(need_start):
                    start_plan = plan_for(need_start, t, np.zeros(n), np.zeros(n))
                    lots[need_start, 0] += np.maximum(start_plan["order_up_to"].to_numpy(), 0.0)
                given = due[~np.isnan(initial[due])]
                lots[given, 0] += initial[given]
                on_hand = lots[:, : t + 1].sum(axis=1)
            plan = plan_for(due, t, on_hand, on_order)
            qty = plan["order_qty"].to_numpy()
            ordered[due] = qty
            arrive_day = grid[t] + pd.to_timedelta(lead[due], unit="D")
            arrive_step = grid.searchsorted(arrive_day, side="left")
            arrive_step = np.minimum(arrive_step, steps)
            np.add.at(arrivals, (due, arrive_step), qty)
            now = arrive_step == t
            if now.any():
                lots[due[now], t] += qty[now]
                received[due[now]] += qty[now]
                arrivals[due[now], t] -= qty[now]
            step = np.where(review[due] > 0, review[due], step_days)
            while True:  # advance each due series past today
                behind = next_review[due] <= day_offset + 1e-9
                if not behind.any():
                    break
                next_review[due[behind]] += step[behind]
        # (4) serve FIFO
        window = lots[:, : t + 1]
        before = np.cumsum(window, axis=1) - window
        take = np.clip(demand[:, t : t + 1] - before, 0.0, window)
        lots[:, : t + 1] = window - take
        served = take.sum(axis=1)
        # (5) record
        out["served"][:, t] = served
        out["lost"][:, t] = demand[:, t] - served
        out["received"][:, t] = received
        out["ordered"][:, t] = ordered
        out["spoiled"][:, t] = spoiled
        out["on_hand_end"][:, t] = lots[:, : t + 1].sum(axis=1)
        out["on_order_end"][:, t] = arrivals[:, t + 1 :].sum(axis=1)

    trace = pd.DataFrame(
        {
            "sku": np.repeat(pol["sku"].to_numpy(), steps),
            "location": np.repeat(pol["location"].to_numpy(), steps),
            "date": np.tile(grid.date, n),
            "demand": demand.ravel(),
            **{name: values.ravel() for name, values in out.items()},
        }
    )[TRACE_COLUMNS]
    return SimulationResult(trace=trace, summary=summarize_trace(trace))


def _through_period_before(
    past: pd.DataFrame, grid: pd.DatetimeIndex, day: pd.Timestamp, features: list[str]
) -> pd.DataFrame:
    """`past` (history rows before `day`) with a row of 0 units on the period just before
    `day` for each of its series that has none there, its features carried on from its
    last row. The forecaster forecasts from the period after its history's last date, so
    a file that lists only the periods with sales (the last one weeks before the review
    day) would otherwise be forecast for past periods, not for the review day's. A grid
    of the history's own dates (no regular frequency) is left as it is."""
    if grid.freq is None or past.empty:
        return past
    before = day - grid.freq  # `day` is a grid label: one period back is the previous one
    last = past.sort_values("date").groupby(KEY, sort=False).tail(1)
    missing = last[last["date"] < before]
    if missing.empty:
        return past
    padding = missing[[*KEY, *features]].assign(date=before, units=0.0)
    return pd.concat([past, padding[past.columns]], ignore_index=True)


def _future_dates(
    grid: pd.DatetimeIndex, t: int, protection_days: float, step_days: float
) -> pd.DatetimeIndex:
    """Calendar dates from grid[t] covering `protection_days`, extended past the grid end."""
    day = grid[t]
    limit = day + pd.Timedelta(days=protection_days)
    inside = grid[(grid >= day) & (grid < limit)]
    if len(inside) and inside[-1] + pd.Timedelta(days=step_days) >= limit:
        return inside
    last = inside[-1] if len(inside) else day - pd.Timedelta(days=step_days)
    extra = []
    while last + pd.Timedelta(days=step_days) < limit:  # until the dates' periods reach limit
        last = last + pd.Timedelta(days=step_days)
        extra.append(last)
    return inside.append(pd.DatetimeIndex(extra))


def summarize_trace(trace: pd.DataFrame) -> pd.DataFrame:
    """SUM.csv: per sku x location and one `ALL` row.

    fill_rate = served / demand (blank when there was no demand); avg_on_hand = mean of
    on_hand_end over the days; stockout_days = days with lost > 0; spoiled = units spoiled;
    orders = days with an order > 0. The ALL row: fill rate over all units, avg_on_hand and
    the counts summed over series (total average stock).
    """
    grouped = trace.groupby(KEY, sort=False)
    per = grouped.agg(
        demand=("demand", "sum"),
        served=("served", "sum"),
        avg_on_hand=("on_hand_end", "mean"),
        stockout_days=("lost", lambda x: int((x > 1e-9).sum())),
        spoiled=("spoiled", "sum"),
        orders=("ordered", lambda x: int((x > 0).sum())),
    ).reset_index()
    total = pd.DataFrame(
        [
            {
                "sku": "ALL",
                "location": "ALL",
                "demand": per["demand"].sum(),
                "served": per["served"].sum(),
                "avg_on_hand": per["avg_on_hand"].sum(),
                "stockout_days": int(per["stockout_days"].sum()),
                "spoiled": per["spoiled"].sum(),
                "orders": int(per["orders"].sum()),
            }
        ]
    )
    both = pd.concat([per, total], ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        both["fill_rate"] = np.where(both["demand"] > 0, both["served"] / both["demand"], np.nan)
    return both[SUMMARY_COLUMNS]
