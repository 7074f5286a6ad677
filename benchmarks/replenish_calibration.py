"""Calibration and efficiency of the replenishment engine on real demand history.

For each data set the simulator (replenishment.simulate, the rules of docs/replenishment.md)
replays the last part of the history under:

- our policy: order-up-to over lead time + review period with safety stock from the
  forecast quantiles, at a target fill rate of 95% and 98%;
- the flat rule "order up to k x 28-day moving-average demand x (L + R)", with k tuned by
  bisection in the same run until its achieved aggregate fill rate equals ours.

Reported per data set and target: achieved aggregate fill rate (served / demand over all
series), our average on-hand, the flat rule's k and average on-hand at the same fill rate,
and the on-hand reduction. Targets: |achieved - target| <= 1.5 points; reduction >= 20%.
Also per row: the perfect-foresight lower bound on average on hand at our achieved fill rate
(perfect_foresight_on_hand: any policy with the same L and R, knowing the future) and the
largest reduction against the flat rule it leaves possible. `--group` adds rows with every
series in one service_group (column `targeting`: per-series / group), i.e. the aggregate
fill rate the benchmark measures as the planner's target.

Data sets: Walmart store x department weekly sales (300 seeded series with full history and
mean > 1000), Stallion agency x sku monthly volumes (300 seeded series), and two daily
sets from the UCI bike sharing data: `bike` = day.csv's system total `cnt` and its two
parts `casual` and `registered` (3 series, one smooth system series in substance), and
`bike_hours` = hour.csv cut into 48 daily series, the rentals in each hour of the day
(00-23) per user type (casual / registered), hours absent from hour.csv counted as 0.

Calendars: weekly and monthly histories are simulated with one step per period (step i is
day i of a pseudo-daily calendar, so lead time and review period are whole periods: Walmart
L = 2 weeks, R = 1 week; Stallion L = 1 month, R = 1 month; bike sharing L = 3 days,
R = 7 days). The simulated period is the last part of each history (Walmart 52 weeks,
Stallion 24 months, bike 365 days); the 28-day moving average is 4 weeks / 1 month / 28
days.

Forecaster (default): EmpiricalForecaster below, a transparent seasonal-naive-with-level
point forecast whose spread comes from replaying its own past forecast errors over the
protection interval (history strictly before each review day only; see its docstring).
`--forecasting` adds runs with the forecaster of `supplycast simulate`
(supplycast.commands.replenish.forecasting_forecaster: `forecasting.forecast` with
SeasonalNaive, AutoETS, Croston, TSB, on weekly data the level-adjusted seasonal naive,
SIMULATE_BACKTEST_WINDOWS = 3 backtest windows unless
`--windows=N`, quantiles 5/10/50/90/95) refitted on every review day, on 30-series
subsamples (slow: it refits on every review day); `--forecasting-only` skips the empirical
runs.
The same forecasts serve the 95% and 98% runs (cached per review day).

Run: `nice .venv/bin/python benchmarks/replenish_calibration.py [walmart] [stallion] [bike]
[bike_r1] [bike_hours] [--forecasting | --forecasting-only] [--windows=N] [--series=N]
[--group] [--cache-dir=DIR [--processes=N]]` (default: the four data
sets, empirical forecaster). The table is also written to
benchmarks/results/replenish_calibration.csv.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from replenishment.simulation import simulate  # noqa: E402

DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "benchmarks" / "results"
PSEUDO_START = pd.Timestamp("2000-01-01")
SERIES = 300  # Walmart / Stallion subsample (seeded) with the empirical forecaster
# day.csv's weather and calendar of each day, known for the horizon (simulator rule 6);
# used by the LightGBM global model, ignored by the flat rule and the empirical forecaster
BIKE_FEATURES = ("temp", "atemp", "hum", "windspeed", "weathersit", "workingday", "holiday")
FORECASTING_SERIES = 30  # subsample with forecasting.forecast (it refits on every review day)


@dataclass(frozen=True)
class DataSet:
    name: str
    history: pd.DataFrame  # real dates
    freq: str  # D / W / M
    lead_periods: int
    review_periods: int
    start_index: int  # first simulated period (index into the sorted dates)
    ma_periods: int  # periods in the 28-day moving average
    season: int | None  # empirical forecaster: season length in periods (None = flat level)
    recent: int  # empirical forecaster: periods in the recent level / ratio window
    origins: int  # empirical forecaster: past origins replayed for the error distribution


def load_walmart(series: int, seed: int = 0) -> DataSet:
    raw = pd.read_csv(DATA / "walmart_store_sales" / "train.csv.gz")
    raw["sku"] = "D" + raw["Dept"].astype(str)
    raw["location"] = "S" + raw["Store"].astype(str)
    frame = raw.rename(columns={"Date": "date", "Weekly_Sales": "units"})[
        ["sku", "location", "date", "units"]
    ]
    frame["date"] = pd.to_datetime(frame["date"])
    counts = frame.groupby(["sku", "location"])["units"].agg(["size", "mean"])
    full = counts[(counts["size"] == frame["date"].nunique()) & (counts["mean"] > 1000)].index
    rng = np.random.default_rng(seed)
    pick = full[rng.choice(len(full), size=min(series, len(full)), replace=False)]
    frame = frame.set_index(["sku", "location"]).loc[pick].reset_index()
    return DataSet("walmart weekly", frame, "W", 2, 1, 91, 4, 52, 8, 52)


def load_stallion(series: int, seed: int = 0) -> DataSet:
    raw = pd.read_csv(DATA / "stallion_beverage" / "stallion.csv")
    frame = raw.rename(columns={"agency": "location", "volume": "units"})[
        ["sku", "location", "date", "units"]
    ].assign(  # planned prices, promotions and the month's temperature, known for the horizon
        price=raw["price_actual"],
        discount_pct=raw["discount_in_percent"].clip(0, 100),
        temperature_c=raw["avg_max_temp"],
    )
    frame["date"] = pd.to_datetime(frame["date"])
    keys = frame[["sku", "location"]].drop_duplicates()
    keys = keys.sample(n=min(series, len(keys)), random_state=seed)
    frame = frame.merge(keys, on=["sku", "location"])
    return DataSet("stallion monthly", frame, "M", 1, 1, 36, 1, 12, 3, 24)


def load_bike(review_days: int = 7) -> DataSet:
    raw = pd.read_csv(DATA / "bike_sharing_uci" / "day.csv")
    parts = [
        pd.DataFrame(
            {
                "sku": column,
                "location": "DC",
                "date": pd.to_datetime(raw["dteday"]),
                "units": raw[column],
                **{feature: raw[feature].astype(float) for feature in BIKE_FEATURES},
            }
        )
        for column in ("cnt", "casual", "registered")
    ]
    name = "bike sharing daily" + ("" if review_days == 7 else f" R={review_days}")
    frame = pd.concat(parts, ignore_index=True)
    return DataSet(name, frame, "D", 3, review_days, 366, 28, None, 28, 180)


def load_bike_hours() -> DataSet:
    """48 daily series from hour.csv: rentals in one hour of the day (0-23) per user type
    (casual, registered), e.g. `registered_h08` = registered rentals from 08:00 to 08:59 on
    each day. hour.csv omits hours without rentals: those are demand 0."""
    raw = pd.read_csv(DATA / "bike_sharing_uci" / "hour.csv")
    days = pd.to_datetime(raw["dteday"])
    parts = [
        pd.DataFrame(
            {
                "sku": column + "_h" + raw["hr"].astype(int).map("{:02d}".format),
                "location": "DC",
                "date": days,
                "units": raw[column],
            }
        )
        for column in ("casual", "registered")
    ]
    frame = pd.concat(parts, ignore_index=True)
    grid = pd.MultiIndex.from_product(
        [sorted(frame["sku"].unique()), ["DC"], sorted(days.unique())],
        names=["sku", "location", "date"],
    )
    frame = (
        frame.set_index(["sku", "location", "date"])["units"]
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    return DataSet("bike hour-of-day daily", frame, "D", 3, 7, 366, 28, None, 28, 180)


def to_pseudo(data: DataSet) -> tuple[pd.DataFrame, dict[pd.Timestamp, pd.Timestamp]]:
    """History on a pseudo-daily calendar (period i -> PSEUDO_START + i days) and the map back."""
    dates = sorted(data.history["date"].unique())
    forward = {pd.Timestamp(d): PSEUDO_START + pd.Timedelta(days=i) for i, d in enumerate(dates)}
    frame = data.history.assign(date=data.history["date"].map(forward))
    return frame, {v: k for k, v in forward.items()}


def real_future_dates(last_real: pd.Timestamp, count: int, freq: str) -> pd.DatetimeIndex:
    offset = {"D": pd.offsets.Day(1), "W": pd.offsets.Week(1), "M": pd.offsets.MonthBegin(1)}[freq]
    return pd.date_range(last_real + offset, periods=count, freq=offset)


class CachedForecaster:
    """The `supplycast simulate` forecaster (supplycast.commands.replenish.forecasting_forecaster:
    `forecasting.forecast` with the fast model set and the command's backtest windows) on real
    dates, cached by review day."""

    def __init__(
        self,
        data: DataSet,
        back: dict[pd.Timestamp, pd.Timestamp],
        n_windows: int | None,
        models: tuple[str, ...] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        from supplycast.commands.replenish import forecasting_forecaster

        self.data = data
        self.back = back
        self.product = forecasting_forecaster(
            data.freq, fast=True, n_windows=n_windows, models=models
        )
        self.cache: dict[pd.Timestamp, pd.DataFrame] = {}
        self.seconds = 0.0
        # opt-in on-disk cache: one pickle per review day under cache_dir/<data set, windows,
        # models>/; it is never invalidated, so clear it after changing the forecaster
        self.disk: Path | None = None
        if cache_dir is not None:
            label = f"{data.name}-w{n_windows}-{'+'.join(models) if models else 'fast'}"
            self.disk = cache_dir / label.replace(" ", "_").replace("=", "")
            self.disk.mkdir(parents=True, exist_ok=True)

    def __call__(self, past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        first = pd.Timestamp(future["date"].min())
        stored = self.disk / f"{first.date()}.pkl" if self.disk is not None else None
        if first not in self.cache and stored is not None and stored.exists():
            self.cache[first] = pd.read_pickle(stored)
        if first not in self.cache:
            started = time.perf_counter()
            horizon = int(future.groupby(["sku", "location"]).size().max())
            real_past = past.assign(date=past["date"].map(self.back))
            last = pd.Timestamp(real_past["date"].max())
            dates = real_future_dates(last, horizon, self.data.freq)
            # the k-th future period of each series -> the k-th real date after the history;
            # the future's feature columns (known for the horizon, simulator rule) go along
            real_future = future.sort_values(["sku", "location", "date"])
            step = real_future.groupby(["sku", "location"]).cumcount().to_numpy()
            real_future = real_future.assign(date=dates[step])
            fc = self.product(real_past, real_future)
            # real forecast dates -> pseudo: k-th horizon period after the last history period
            fc = fc.sort_values(["sku", "location", "date"])
            step = fc.groupby(["sku", "location"]).cumcount()
            fc = fc.assign(date=first + pd.to_timedelta(step, unit="D"))
            self.cache[first] = fc
            if stored is not None:
                # written whole, then renamed: a process of --processes never reads half a file
                partial = stored.with_suffix(f".{os.getpid()}.tmp")
                fc.to_pickle(partial)
                os.replace(partial, stored)
            self.seconds += time.perf_counter() - started
        cached = self.cache[first]
        keys = future[["sku", "location", "date"]].drop_duplicates()
        return cached.merge(keys, on=["sku", "location", "date"], how="inner")


class EmpiricalForecaster:
    """A fast, transparent forecaster for the benchmark (no statsforecast), per series:

    - point path: with at least `season + k` periods of history, last season's values
      scaled by the ratio of the last k periods to the same k periods a season earlier
      (ratio clipped to [0.5, 2]); otherwise the mean of the last k periods, flat;
    - uncertainty: the last `origins` past forecast origins (history only) are replayed with
      the same method; the errors of the P-period sums (P = the protection interval in
      periods, L + R) give a bias b (their median) and a spread s_P = (q95 - q05) / 3.29 of
      the errors (a normal sd read robustly from the 5% and 95% error quantiles), and the
      errors of the first L periods' sums a spread s_L; the path is shifted by b / P per
      period; each of the first L periods gets sd s_L / L and each of the next R periods
      (s_P - s_L) / R, so that the engine's sums with its default comonotone errors
      (error_correlation 1: the periods' sds add) carry exactly s_L over the lead time and
      s_P over the protection interval. Quantiles are normal. Forecasts are cached per
      review day (the 95% and 98% runs share them).
    """

    def __init__(
        self, season: int | None, k: int, protection: int, origins: int, lead: int
    ) -> None:
        self.season, self.k, self.protection, self.origins = season, k, protection, origins
        self.lead = lead
        self.seconds = 0.0
        self.cache: dict[pd.Timestamp, pd.DataFrame] = {}

    def _path(self, y: np.ndarray, horizon: int) -> np.ndarray:
        k, season = self.k, self.season
        if season and len(y) >= season + k:
            base = (
                np.resize(y[len(y) - season :], horizon)
                if horizon > season
                else y[len(y) - season : len(y) - season + horizon]
            )
            before = y[len(y) - season - k : len(y) - season].sum()
            ratio = np.clip(y[len(y) - k :].sum() / before, 0.5, 2.0) if before > 0 else 1.0
            return base * ratio
        return np.full(horizon, y[-k:].mean() if len(y) else 0.0)

    def __call__(self, past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        first_day = pd.Timestamp(future["date"].min())
        if first_day not in self.cache:
            self.cache[first_day] = self._forecast(past, future)
        keys = future[["sku", "location", "date"]].drop_duplicates()
        return self.cache[first_day].merge(keys, on=["sku", "location", "date"], how="inner")

    def _forecast(self, past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        started = time.perf_counter()
        p = self.protection
        parts = []
        horizons = future.groupby(["sku", "location"], sort=False)["date"].agg(["min", "size"])
        for (sku, location), series in past.sort_values("date").groupby(
            ["sku", "location"], sort=False
        ):
            if (sku, location) not in horizons.index:
                continue
            first, horizon = horizons.loc[(sku, location)]
            y = np.maximum(series["units"].to_numpy(dtype=float), 0.0)
            path = self._path(y, max(int(horizon), p))
            lead = self.lead
            errors, lead_errors = [], []
            for origin in range(len(y) - p, max(len(y) - p - self.origins, self.k) - 1, -1):
                replay = self._path(y[:origin], p)
                errors.append(y[origin : origin + p].sum() - replay.sum())
                lead_errors.append(y[origin : origin + lead].sum() - replay[:lead].sum())
            errors_arr = np.asarray(errors) if errors else np.array([0.0])
            bias = float(np.median(errors_arr))
            if len(errors_arr) > 4:
                sd_p = robust_sd(errors_arr)
                sd_l = robust_sd(np.asarray(lead_errors))
            else:
                sd_p = float(np.sqrt(max(path[:p].sum(), 1.0)))
                sd_l = sd_p * lead / p
            mean = np.maximum(path[: int(horizon)] + bias / p, 0.0)
            # comonotone reading (the engine's default): the sds of the periods add, so the
            # lead-time periods carry s_L / L each and the review periods the rest of s_P
            sd = np.full(int(horizon), sd_p / p)
            if 0 < lead < p:
                sd[: min(lead, len(sd))] = sd_l / lead
                sd[lead:p] = max(sd_p - sd_l, 0.0) / (p - lead)
            frame = pd.DataFrame(
                {
                    "sku": sku,
                    "location": location,
                    "date": pd.date_range(first, periods=int(horizon), freq="D"),
                    "mean": mean,
                }
            )
            for q, z in ((5, -1.6449), (10, -1.2816), (50, 0.0), (90, 1.2816), (95, 1.6449)):
                frame[f"p{q:02d}"] = mean + z * sd
            parts.append(frame)
        self.seconds += time.perf_counter() - started
        return pd.concat(parts, ignore_index=True)


def robust_sd(errors: np.ndarray) -> float:
    """A normal sd read robustly from the 5% and 95% quantiles: (q95 - q05) / 3.29."""
    q05, q95 = np.quantile(errors, [0.05, 0.95])
    return float(q95 - q05) / 3.29


def perfect_foresight_on_hand(
    pseudo: pd.DataFrame, keys: pd.DataFrame, data: DataSet, start: date, fill_rate: float
) -> float:
    """Lower bound on the total average on hand (summed over series, units; the simulator's
    SUM.csv `avg_on_hand` ALL row) of ANY policy that orders on the review days start,
    start + R, ... with lead time L and serves the aggregate fill rate `fill_rate` (lost
    sales), even one that knows the future.

    Units reach the shelf only on arrival days: the start (starting stock) and
    start + L + kR. A unit sold on day d arrived on an arrival day a <= d at the latest, the
    last one, a(d), so it is on hand at the end of at least d - a(d) days (0 when sold on
    its arrival day). Serving a fraction f of all demand units therefore holds at least the
    sum of d - a(d) over the served units; the least is reached by serving the units with
    the smallest d - a(d) (early in their cycle, any series) and losing the latest ones:
    this is the bound, divided by the number of simulated days. It is the pure cycle stock
    of perfect foresight (order exactly the next cycle's demand), lowered by losing the
    units that would sit longest. Calendar: the pseudo-daily one of the runs (one step =
    one period; every step is a day)."""
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(pseudo["date"].max()), freq="D")
    frame = pseudo[pseudo["date"].isin(days)].merge(keys, on=["sku", "location"])
    demand = frame["units"].clip(lower=0).to_numpy(dtype=float)
    day = (frame["date"] - days[0]).dt.days.to_numpy()
    lead, review = data.lead_periods, max(data.review_periods, 1)
    # days since the last arrival: the start, then L, L + R, L + 2R, ... (reviews 0, R, ...)
    since_first_order = day - lead
    held = np.where(since_first_order >= 0, since_first_order % review, day)
    order = np.argsort(held, kind="stable")
    mass, cost = demand[order], held[order].astype(float)
    need = fill_rate * mass.sum()
    before = np.cumsum(mass) - mass
    served = np.clip(need - before, 0.0, mass)
    return float((served * cost).sum() / len(days))


def flat_forecaster(ma_periods: int, multiplier: float | dict[tuple[str, str], float]):
    """Flat rule as a forecaster: mean = k x moving-average demand per period, no spread;
    k is one number, or one per (sku, location)."""

    def forecaster(past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        recent = past.sort_values("date").groupby(["sku", "location"]).tail(ma_periods)
        level = (
            recent.assign(units=recent["units"].clip(lower=0))
            .groupby(["sku", "location"])["units"]
            .mean()
        )
        out = future[["sku", "location", "date"]].copy()
        index = out.set_index(["sku", "location"]).index
        k = (
            index.map(multiplier).to_numpy(dtype=float)
            if isinstance(multiplier, dict)
            else multiplier
        )
        out["mean"] = k * index.map(level).fillna(0.0).to_numpy()
        return out

    return forecaster


def policy_frame(
    keys: pd.DataFrame, data: DataSet, service_level: float, service_type: str
) -> pd.DataFrame:
    return keys.assign(
        lead_time_days=data.lead_periods,
        review_period_days=data.review_periods,
        service_level=service_level,
        service_type=service_type,
    )


def flat_tuned_per_series(
    pseudo: pd.DataFrame,
    flat_policy: pd.DataFrame,
    data: DataSet,
    start: date,
    targets: pd.Series,
) -> tuple[float, float]:
    """The flat rule with one multiplier per series, each tuned by bisection (hindsight) until
    the series' own fill rate reaches `targets` (indexed by sku, location: our fill rate of
    that series). Returns (aggregate fill rate, total average on hand) at those k. Series
    without demand keep k = 1; k is capped at 20."""
    keys = list(targets.index)
    lo = pd.Series(0.3, index=targets.index)
    hi = pd.Series(1.5, index=targets.index)

    def rates(k: pd.Series) -> tuple[pd.Series, float, float]:
        multipliers = dict(zip(keys, k, strict=True))
        forecaster = flat_forecaster(data.ma_periods, multipliers)
        result = simulate(pseudo, flat_policy, forecaster, start=start)
        summary = result.summary.set_index(["sku", "location"])
        per = summary["fill_rate"].reindex(targets.index).fillna(1.0)
        total = summary.loc[("ALL", "ALL")]
        return per, float(total["fill_rate"]), float(total["avg_on_hand"])

    for _ in range(8):  # widen hi until every series reaches its target (or k = 20)
        per, _, _ = rates(hi)
        short = (per < targets - 1e-9) & (hi < 20)
        if not short.any():
            break
        hi[short] = np.minimum(hi[short] * 1.6, 20.0)
    for _ in range(14):
        mid = 0.5 * (lo + hi)
        per, _, _ = rates(mid)
        below = per < targets - 1e-9
        lo[below] = mid[below]
        hi[~below] = mid[~below]
    _, fill, on_hand = rates(hi)
    return fill, on_hand


def compare(
    data: DataSet,
    pseudo: pd.DataFrame,
    keys: pd.DataFrame,
    start: date,
    forecaster: CachedForecaster | EmpiricalForecaster,
    target: float,
    targeting: str,
) -> dict[str, object]:
    """One table row: our policy at `target` ("per-series": every series its own fill-rate
    target; "group": all series one service_group, an aggregate target), the flat rule with
    one k tuned to our achieved aggregate fill rate, the flat rule tuned per series to our
    per-series fill rates (per-series rows only: it answers the equal-service question), and
    the perfect-foresight lower bound at our fill rate."""
    started = time.perf_counter()
    policy = policy_frame(keys, data, target, "fill_rate")
    if targeting == "group":
        policy = policy.assign(service_group="ALL")
    ours = simulate(pseudo, policy, forecaster, start=start)
    ours_seconds = time.perf_counter() - started
    total = ours.summary.set_index("sku").loc["ALL"]
    achieved, our_stock = float(total["fill_rate"]), float(total["avg_on_hand"])

    flat_policy = policy_frame(keys, data, 0.5, "cycle")

    @functools.cache  # the final flat(hi) is a k the search has already simulated
    def flat(k: float) -> tuple[float, float]:
        result = simulate(pseudo, flat_policy, flat_forecaster(data.ma_periods, k), start=start)
        all_row = result.summary.set_index("sku").loc["ALL"]
        return float(all_row["fill_rate"]), float(all_row["avg_on_hand"])

    lo, hi = 0.5, 1.5
    while flat(hi)[0] < achieved and hi < 20:
        hi *= 1.5
    for _ in range(14):  # bisection on k to the same achieved fill rate
        mid = 0.5 * (lo + hi)
        if flat(mid)[0] < achieved:
            lo = mid
        else:
            hi = mid
    flat_rate, flat_stock = flat(hi)
    summary = ours.summary[ours.summary["sku"] != "ALL"].set_index(["sku", "location"])
    per_series = summary["fill_rate"].fillna(1.0)
    tuned_fill, tuned_stock = (
        flat_tuned_per_series(pseudo, flat_policy, data, start, per_series)
        if targeting == "per-series"
        else (np.nan, np.nan)
    )
    bound = perfect_foresight_on_hand(pseudo, keys, data, start, achieved)
    return {
        "data set": data.name,
        "targeting": targeting,
        "series": len(keys),
        "sim periods": pseudo["date"].nunique() - data.start_index,
        "L,R (periods)": f"{data.lead_periods},{data.review_periods}",
        "target": target,
        "achieved": round(achieved, 4),
        "|gap| pts": round(abs(achieved - target) * 100, 2),
        "avg on hand": round(our_stock, 1),
        "flat k": round(hi, 3),
        "flat fill": round(flat_rate, 4),
        "flat on hand": round(flat_stock, 1),
        "reduction": f"{1 - our_stock / flat_stock:.1%}",
        "foresight bound": round(bound, 1),
        "bound reduction": f"{1 - bound / flat_stock:.1%}",
        "series fill sd": round(float(per_series.std()), 3),
        "flat per-series k: fill": round(tuned_fill, 4),
        "on hand": round(tuned_stock, 1),
        "reduction vs per-series k": f"{1 - our_stock / tuned_stock:.1%}",
        "sim s": round(ours_seconds, 1),
    }


def run(
    data: DataSet,
    which: str,
    n_windows: int | None = None,
    models: tuple[str, ...] | None = None,
    group: bool = False,
    cache_dir: Path | None = None,
) -> list[dict[str, object]]:
    """Rows for targets 95% / 98%: per-series fill-rate targets, and with `group` also one
    service group of all series (the aggregate fill rate the benchmark measures)."""
    pseudo, back = to_pseudo(data)
    keys = pseudo[["sku", "location"]].drop_duplicates().reset_index(drop=True)
    dates = sorted(pseudo["date"].unique())
    start = pd.Timestamp(dates[data.start_index]).date()
    if which == "forecasting":
        forecaster: CachedForecaster | EmpiricalForecaster = CachedForecaster(
            data, back, n_windows, models, cache_dir
        )
    else:
        forecaster = EmpiricalForecaster(
            data.season,
            data.recent,
            data.lead_periods + data.review_periods,
            data.origins,
            data.lead_periods,
        )
    label = (
        which
        + (f" ({n_windows} windows)" if which == "forecasting" and n_windows else "")
        + (f" [{'+'.join(models)}]" if which == "forecasting" and models else "")
    )
    rows: list[dict[str, object]] = []
    targetings = ("per-series", "group") if group else ("per-series",)
    for target in (0.95, 0.98):
        for targeting in targetings:
            row = compare(data, pseudo, keys, start, forecaster, target, targeting)
            rows.append({"data set": row.pop("data set"), "forecaster": label, **row})
            print(rows[-1], flush=True)
    print(f"{data.name}: forecaster ({which}) took {forecaster.seconds:.0f} s in total", flush=True)
    return rows


def load(name: str, series: int) -> DataSet:
    """The data set called `name` (walmart, stallion, bike, bike_r1, bike_hours); `series` is
    the Walmart / Stallion subsample size."""
    loaders = {
        "stallion": lambda: load_stallion(series=series),
        "walmart": lambda: load_walmart(series=series),
        "bike": lambda: load_bike(),
        "bike_r1": lambda: load_bike(review_days=1),
        "bike_hours": lambda: load_bike_hours(),
    }
    return loaders[name]()


def prefill_cache(
    name: str,
    series: int,
    n_windows: int | None,
    models: tuple[str, ...] | None,
    cache_dir: Path,
    part: int,
    parts: int,
) -> None:
    """Fill the product forecaster's disk cache for the review days of part `part` of `parts`
    of the simulated period: the same run started `part / parts` of the way in (the
    forecasts of a review day depend only on the history before it, so they are the ones
    the full run would make there). Its rows are thrown away."""
    data = load(name, series)
    periods = data.history["date"].nunique() - data.start_index
    later = replace(data, start_index=data.start_index + part * periods // parts)
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        run(later, "forecasting", n_windows, models, cache_dir=cache_dir)


def main(argv: list[str]) -> None:
    """Arguments: data set names (default all four); `--forecasting` adds the product
    forecaster (supplycast simulate's) on 30-series subsamples (slow: minutes per data set);
    `--forecasting-only` runs only that one; `--windows=N` sets its backtest windows (default
    the simulate command's, SIMULATE_BACKTEST_WINDOWS); `--models=a,b` its candidate models
    (default ForecastConfig.fast()'s); `--series=N` its Walmart / Stallion subsample
    (default FORECASTING_SERIES); `--group` adds rows with every series in one service
    group (targeting "group": the aggregate fill rate as the target); `--cache-dir=DIR`
    keeps the product forecaster's forecasts on disk (a pickle per data set and review day,
    reused by later runs with the same data set, windows and models; off by default);
    `--processes=N` (with `--cache-dir`) starts N - 1 more processes that fill the cache
    from 1/N, 2/N, .. of the simulated period on while the main run starts at its
    beginning (the product forecaster refits on every review day: bike_r1 ~50 min with 2)."""
    from supplycast.commands.replenish import SIMULATE_BACKTEST_WINDOWS

    names = [a for a in argv if not a.startswith("--")]
    wanted = set(names) or {"walmart", "stallion", "bike", "bike_hours"}
    windows = next(
        (int(a.split("=", 1)[1]) for a in argv if a.startswith("--windows=")),
        SIMULATE_BACKTEST_WINDOWS,
    )
    models = next(
        (tuple(a.split("=", 1)[1].split(",")) for a in argv if a.startswith("--models=")), None
    )
    forecasting_series = next(
        (int(a.split("=", 1)[1]) for a in argv if a.startswith("--series=")), FORECASTING_SERIES
    )
    cache_dir = next((Path(a.split("=", 1)[1]) for a in argv if a.startswith("--cache-dir=")), None)
    processes = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--processes=")), 1)
    if processes > 1 and cache_dir is None:
        raise SystemExit("--processes needs --cache-dir (the processes share forecasts on disk)")
    only_forecasting = "--forecasting-only" in argv
    group = "--group" in argv
    rows: list[dict[str, object]] = []
    for name in ("stallion", "walmart", "bike", "bike_r1", "bike_hours"):
        if name in wanted:
            if not only_forecasting:
                rows.extend(run(load(name, SERIES), "empirical", group=group))
            if "--forecasting" in argv or only_forecasting:
                with ProcessPoolExecutor(max_workers=max(processes - 1, 1)) as pool:
                    helpers = [
                        pool.submit(
                            prefill_cache,
                            name,
                            forecasting_series,
                            windows,
                            models,
                            cache_dir,
                            part,
                            processes,
                        )
                        for part in range(1, processes)
                        if cache_dir is not None
                    ]
                    rows.extend(
                        run(
                            load(name, forecasting_series),
                            "forecasting",
                            windows,
                            models,
                            group=group,
                            cache_dir=cache_dir,
                        )
                    )
                    for helper in helpers:
                        helper.result()
    table = pd.DataFrame(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    table.to_csv(RESULTS / "replenish_calibration.csv", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:])
