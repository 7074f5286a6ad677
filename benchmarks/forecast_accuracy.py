"""Accuracy of `forecasting.forecast` on the shared real data sets, against plain models.

Run: .venv/bin/python benchmarks/forecast_accuracy.py [--series N] [--windows K]
    [--horizon H] [--sets walmart,stallion,bike] [--references seasonal_naive,auto_ets,auto_arima]
    [--seasonal-calibration off|add|replace] [--selection-shrinkage S]

Rolling-origin backtests (`forecasting.backtest.backtest`, K windows, default 3) on:
- walmart: Walmart store x department weekly sales (a seeded sample of N series with the full
  143 weeks; features temperature, total markdown, holiday week), horizon 8 weeks;
- stallion: agency x SKU monthly volume (seeded sample of N series; price, discount %,
  temperature), horizon 6 months. Price and discount are the SKU's list price of the month
  (median over the agencies that sold it; carried forward, and back before its first sale),
  not the agency's own: the data's price is revenue / volume, 0 in 96% of the months
  without sales and 0.7% of those with, so as a feature "known ahead" it says which months
  sell (`forecasting.feature_checks`);
- bike: UCI bike sharing daily rentals (1 series; temperature, humidity, wind, weather
  situation, working day, holiday), horizon 28 days;
- bike_hours (not in the default sets): the same rentals from the hourly file as 48 daily
  series, casual and registered riders x hour of the day (the weather of that hour as
  features), horizon 28 days: daily data of several series, smooth to lumpy, on which no
  setting was tuned;
- synthetic (not in the default sets): N simulated daily count series, two years of
  history before the first window, with a known distribution (`synthetic_demand.py`:
  smooth, erratic, intermittent and lumpy counts, promotions known ahead), horizon 28 days.
  Besides the models it prints "oracle (true distribution)": the true mean and the true
  p10 / p90 of every test point, the best a forecast that knew the demand process could do;
  its coverage by class is how far count data lets a calibrated band come to 80% (the
  counts' atoms put it above).
References: SeasonalNaive, AutoETS and AutoARIMA (with the same features), one statsforecast
model for every series; `--references` picks a subset (AutoARIMA costs ~180 s per 40
series, so large-sample coverage runs leave it out) or adds a model of ours as a reference
(e.g. seasonal_naive_level; printed, but the "gain vs best plain model" row counts only the
three plain models). Prints one table: data set, model,
MASE, WAPE, coverage (of the p10-p90 interval, nominal 80%), seconds; writes
benchmarks/results/forecast_accuracy_<sets>.csv. Then coverage of the selected model by
demand class: each test point counts for the class its series had at its window's origin,
with the number of series and points, a series-bootstrap 90% interval (series resampled
with replacement within the class, 1000 draws; it does not cover the variation between
test windows, which all series share: see "by window"), the shares below the interval and
above it (demand with p10 = 0, e.g. zero-inflated, has none below, so its coverage is
1 - the share above: ~90% when p90 is calibrated), the points forecast as cold starts
and the coverage without them; "last-window" is the older attribution (every point of a series to
its class in the last window).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from synthetic_demand import simulate, true_quantiles

from forecasting import ForecastConfig
from forecasting.backtest import BacktestReport, backtest, coverage_by_class, coverage_hits

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results"
REFERENCES = ("seasonal_naive", "auto_ets", "auto_arima")


def walmart(n_series: int, seed: int) -> pd.DataFrame:
    sales = pd.read_csv(DATA / "walmart_store_sales" / "train.csv.gz", parse_dates=["Date"])
    features = pd.read_csv(DATA / "walmart_store_sales" / "features.csv", parse_dates=["Date"])
    counts = sales.groupby(["Store", "Dept"]).size()
    full = counts[counts == counts.max()].index.to_frame(index=False)
    pick = full.sample(n=min(n_series, len(full)), random_state=seed)
    sales = sales.merge(pick, on=["Store", "Dept"])
    markdown = features[[f"MarkDown{i}" for i in range(1, 6)]].fillna(0).sum(axis=1)
    feats = pd.DataFrame(
        {
            "Store": features["Store"],
            "Date": features["Date"],
            "temperature_f": features["Temperature"],
            "markdown": markdown / 1000.0,
            "holiday_week": features["IsHoliday"].astype(float),
        }
    )
    frame = sales.merge(feats, on=["Store", "Date"], how="left")
    return (
        pd.DataFrame(
            {
                "sku": "D" + frame["Dept"].astype(str),
                "location": "S" + frame["Store"].astype(str),
                "date": frame["Date"],
                "units": frame["Weekly_Sales"],
                "temperature_f": frame["temperature_f"],
                "markdown": frame["markdown"],
                "holiday_week": frame["holiday_week"],
            }
        )
        .sort_values(["sku", "location", "date"])
        .reset_index(drop=True)
    )


def stallion(n_series: int, seed: int) -> pd.DataFrame:
    df = pd.read_csv(DATA / "stallion_beverage" / "stallion.csv", parse_dates=["date"])
    keys = df[["agency", "sku"]].drop_duplicates().sample(n=min(n_series, 350), random_state=seed)
    return (
        pd.DataFrame(
            {
                "sku": df["sku"],
                "location": df["agency"],
                "date": df["date"],
                "units": df["volume"],
                "temperature_c": df["avg_max_temp"],
            }
        )
        .merge(keys.rename(columns={"agency": "location"}), on=["sku", "location"])
        .join(sku_list_prices(df), on=["sku", "date"])
        .sort_values(["sku", "location", "date"])
        .reset_index(drop=True)
    )


def sku_list_prices(df: pd.DataFrame) -> pd.DataFrame:
    """`price` and `discount_pct` (0-100) of each SKU and month of Stallion's rows `df`: the
    medians over the agencies that sold the SKU that month, carried forward to months when
    none did and back to the months before its first sale. Indexed by (sku, date)."""
    sold = df[(df["volume"] > 0) & (df["price_actual"] > 0)]
    prices = sold.groupby(["sku", "date"]).agg(
        price=("price_actual", "median"), discount_pct=("discount_in_percent", "median")
    )
    every_month = pd.MultiIndex.from_product(
        [sorted(df["sku"].unique()), sorted(df["date"].unique())], names=["sku", "date"]
    )
    prices = prices.reindex(every_month).groupby(level="sku").transform(lambda s: s.ffill().bfill())
    prices["discount_pct"] = prices["discount_pct"].clip(0, 100)
    return prices


def bike() -> pd.DataFrame:
    df = pd.read_csv(DATA / "bike_sharing_uci" / "day.csv", parse_dates=["dteday"])
    return pd.DataFrame(
        {
            "sku": "bikes",
            "location": "DC",
            "date": df["dteday"],
            "units": df["cnt"].astype(float),
            **bike_features(df),
        }
    )


def bike_features(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The bike sets' features from UCI's columns: temperature (deg C; UCI's temp is
    normalised by 41), humidity and wind (normalised, 0-1), weather situation (1-4),
    working day and holiday (0/1)."""
    return {
        "temperature_c": frame["temp"] * 41,
        "humidity": frame["hum"],
        "wind": frame["windspeed"],
        "weather": frame["weathersit"].astype(float),
        "workingday": frame["workingday"].astype(float),
        "holiday": frame["holiday"].astype(float),
    }


def bike_hours() -> pd.DataFrame:
    """UCI bike sharing's hourly file as 48 daily series (`hours_as_daily_series`)."""
    return hours_as_daily_series(
        pd.read_csv(DATA / "bike_sharing_uci" / "hour.csv", parse_dates=["dteday"]),
        pd.read_csv(DATA / "bike_sharing_uci" / "day.csv", parse_dates=["dteday"]),
    )


def hours_as_daily_series(hours: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """Bike rentals by hour (`hours`: the UCI hour.csv columns) as daily series: casual and
    registered riders (`sku`) x hour of the day (`location`, h00-h23), units = rentals in
    that hour of each day of `days` (the UCI day.csv columns); features the weather in that
    hour (temperature deg C, humidity, wind, weather situation) and the day's working-day
    and holiday flags. An hour missing from `hours` (165 of the file's 17,544: no rental
    recorded, e.g. most of 29-30 Oct 2012) sells 0 and takes the weather of the same hour
    the day before (the day after, at the start)."""
    grid = pd.MultiIndex.from_product([days["dteday"], range(24)], names=["dteday", "hr"]).to_frame(
        index=False
    )
    frame = grid.merge(
        hours.drop(columns=["holiday", "workingday"]), on=["dteday", "hr"], how="left"
    )
    frame = frame.merge(days[["dteday", "holiday", "workingday"]], on="dteday")
    frame = frame.sort_values(["hr", "dteday"]).reset_index(drop=True)
    weather = ["temp", "hum", "windspeed", "weathersit"]
    frame[weather] = frame.groupby("hr")[weather].transform(lambda s: s.ffill().bfill())
    parts = [
        pd.DataFrame(
            {
                "sku": riders,
                "location": "h" + frame["hr"].astype(str).str.zfill(2),
                "date": frame["dteday"],
                "units": frame[riders].fillna(0.0).astype(float),
                **bike_features(frame),
            }
        )
        for riders in ("casual", "registered")
    ]
    return pd.concat(parts).sort_values(["sku", "location", "date"]).reset_index(drop=True)


def synthetic(
    n_series: int, seed: int, windows: int, horizon: int = 28
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, truth) of `synthetic_demand.simulate`: 730 days before the first of
    `windows` windows of `horizon` days."""
    return simulate(n_series, 730 + windows * horizon, seed=seed)


def with_oracle(points: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The chosen role's rows of `points` with the oracle's columns: `oracle_mean` (units
    per day), `oracle_lo` / `oracle_hi` (true p10 / p90) and `true_class`."""
    chosen = points[points["role"] == "chosen"]
    keys = ["sku", "location", "date"]
    at = chosen[keys].merge(truth, on=keys, how="left", validate="many_to_one")
    return chosen.assign(
        true_class=at["true_class"].to_numpy(),
        oracle_mean=at["mean"].to_numpy(),
        oracle_lo=true_quantiles(at, 0.1),
        oracle_hi=true_quantiles(at, 0.9),
    )


def series_mase_with_oracle(report: BacktestReport, oracle: pd.DataFrame) -> pd.DataFrame:
    """One row per series: `true_class` and the MASE of every role plus "oracle" (`oracle`:
    `with_oracle`'s points). The oracle's is the chosen model's times the ratio of their
    mean absolute errors over the same points (the same scale divides both)."""
    per = (
        oracle.assign(
            ours=(oracle["y"] - oracle["mean"]).abs(),
            oracle=(oracle["y"] - oracle["oracle_mean"]).abs(),
        )
        .groupby(["sku", "location"])
        .agg(ours=("ours", "mean"), oracle=("oracle", "mean"), true_class=("true_class", "first"))
    )
    series = report.metrics[report.metrics["level"] == "series"].pivot(
        index=["sku", "location"], columns="role", values="mase"
    )
    series["oracle"] = series["chosen"] * (per["oracle"] / per["ours"]).reindex(series.index)
    series["true_class"] = per["true_class"].reindex(series.index)
    return series


def oracle_row(oracle: pd.DataFrame, series: pd.DataFrame) -> dict[str, float]:
    """MASE (mean over `series_mase_with_oracle`'s series, like the report's), WAPE and
    coverage of the oracle over `with_oracle`'s points."""
    y = oracle["y"].to_numpy()
    return {
        "MASE": float(series["oracle"].mean()),
        "WAPE": float(np.abs(y - oracle["oracle_mean"]).sum() / np.abs(y).sum()),
        "coverage": float(
            coverage_hits(oracle["y"], oracle["oracle_lo"], oracle["oracle_hi"]).mean()
        ),
    }


def by_true_class(oracle: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Mean MASE of every role and the oracle, and p10-p90 coverage of the selected model and
    the oracle, by the class that generated each series (not the class `forecast` gave it)."""
    mase_table = series.groupby("true_class").mean()
    hits = (
        oracle.assign(
            ours=coverage_hits(oracle["y"], oracle["lo"], oracle["hi"]),
            oracle=coverage_hits(oracle["y"], oracle["oracle_lo"], oracle["oracle_hi"]),
        )
        .groupby("true_class")[["ours", "oracle"]]
        .mean()
    )
    out = mase_table.add_prefix("MASE ").join(hits.add_prefix("coverage "))
    return out.rename(columns={"MASE chosen": "MASE supplycast"}).reset_index()


def bootstrap_interval(
    points: pd.DataFrame, draws: int = 1000, level: float = 0.9, seed: int = 0
) -> tuple[float, float]:
    """Series-bootstrap interval of a pooled coverage: `points` has one row per test point
    with columns `key` (series) and `hit` (1.0 inside the interval, else 0.0). Series are
    resampled with replacement `draws` times; returns the (1 - level) / 2 and (1 + level) / 2
    percentiles of the pooled coverage (hits / points of the drawn series)."""
    per = points.groupby("key")["hit"].agg(["sum", "count"])
    hits, counts = per["sum"].to_numpy(), per["count"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(per), size=(draws, len(per)))
    values = hits[idx].sum(axis=1) / counts[idx].sum(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def class_coverage(
    report: BacktestReport, name: str, oracle: pd.DataFrame | None = None
) -> list[dict[str, object]]:
    """Rows of the by-class coverage table of one data set (selected model); with `oracle`
    (`with_oracle`'s points, the synthetic set) also the oracle's coverage and misses."""
    last = coverage_by_class(report, attribution="last").set_index("demand_class")
    pts = report.points[report.points["role"] == "chosen"] if oracle is None else oracle
    pts = pts.assign(
        key=pts["sku"] + "/" + pts["location"], hit=coverage_hits(pts["y"], pts["lo"], pts["hi"])
    )
    rows: list[dict[str, object]] = []
    for c in coverage_by_class(report).itertuples(index=False):
        in_class = pts[pts["demand_class"] == c.demand_class]
        low, high = bootstrap_interval(in_class)
        cold = in_class["model"] == "cold_start_profile"
        in_last = c.demand_class in last.index
        rows.append(
            {
                "data set": name,
                "demand_class": c.demand_class,
                "series": c.series,
                "points": c.points,
                "coverage": c.coverage,
                "boot 5%": low,
                "boot 95%": high,
                "by window": "/".join(f"{v:.3f}" for v in in_class.groupby("window")["hit"].mean()),
                # one-sided misses: with p10 = 0 (zero-inflated demand) no point is below
                "below lo": float((in_class["y"] < in_class["lo"]).mean()),
                "above hi": float((in_class["y"] > in_class["hi"]).mean()),
                "cold-start points": int(cold.sum()),
                "warm coverage": float(in_class.loc[~cold, "hit"].mean())
                if (~cold).any()
                else np.nan,
                "last-window coverage": last.loc[c.demand_class, "coverage"] if in_last else np.nan,
                "last-window series": last.loc[c.demand_class, "series"] if in_last else 0,
            }
        )
        if oracle is not None:
            y, lo, hi = in_class["y"], in_class["oracle_lo"], in_class["oracle_hi"]
            rows[-1]["oracle coverage"] = float(coverage_hits(y, lo, hi).mean())
            rows[-1]["oracle below lo"] = float((y < lo).mean())
            rows[-1]["oracle above hi"] = float((y > hi).mean())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--series", type=int, default=100, help="series sampled per multi-series set"
    )
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument(
        "--horizon",
        type=int,
        default=None,
        help="periods per window for every set (default: walmart 8, stallion 6, bike and"
        " synthetic 28)",
    )
    parser.add_argument(
        "--inner-windows", type=int, default=3, help="selection windows inside forecast"
    )
    parser.add_argument("--ensemble-top", type=int, default=3, help="ForecastConfig.ensemble_top")
    parser.add_argument(
        "--selection-shrinkage",
        type=float,
        default=ForecastConfig.selection_shrinkage,
        help="ForecastConfig.selection_shrinkage",
    )
    parser.add_argument(
        "--seasonal-calibration",
        default="replace",
        choices=("off", "add", "replace"),
        help="ForecastConfig.seasonal_calibration",
    )
    parser.add_argument(
        "--calibration-periods",
        type=int,
        default=None,
        help="ForecastConfig.calibration_periods (default: the frequency's)",
    )
    parser.add_argument("--sets", default="walmart,stallion,bike")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--references",
        default=",".join(REFERENCES),
        help="comma list of reference models (statsforecast, one for every series)",
    )
    args = parser.parse_args()
    references = tuple(r for r in args.references.split(",") if r)
    warnings.filterwarnings("ignore")
    wanted = args.sets.split(",")
    # simulated only when asked for (0.2 s for 200 series, ~5 s for 5,000)
    h = args.horizon
    simulated = (
        synthetic(args.series, args.seed, args.windows, h or 28) if "synthetic" in wanted else None
    )
    sets = {
        "walmart": lambda: (walmart(args.series, args.seed), "W", h or 8),
        "stallion": lambda: (stallion(args.series, args.seed), "M", h or 6),
        "bike": lambda: (bike(), "D", h or 28),
        "bike_hours": lambda: (bike_hours(), "D", h or 28),
        "synthetic": lambda: (simulated[0] if simulated else pd.DataFrame(), "D", h or 28),
    }
    rows = []
    class_rows = []
    for name in wanted:
        history, freq, horizon = sets[name]()
        config = ForecastConfig(
            n_windows=args.inner_windows,
            ensemble_top=args.ensemble_top,
            selection_shrinkage=args.selection_shrinkage,
            seasonal_calibration=args.seasonal_calibration,
            calibration_periods=args.calibration_periods,
            holiday_country="US" if name != "stallion" else None,
        )
        started = time.perf_counter()
        report = backtest(
            history, horizon, args.windows, freq=freq, config=config, references=references
        )
        total = time.perf_counter() - started
        overall = report.metrics[report.metrics["level"] == "overall"].set_index("role")
        n = history.groupby(["sku", "location"]).ngroups
        for role in ("chosen", *references):
            r = overall.loc[role]
            rows.append(
                {
                    "data set": f"{name} ({n} series, h={horizon}, {args.windows} windows)",
                    "model": "supplycast (selected)" if role == "chosen" else role,
                    "MASE": r["mase"],
                    "WAPE": r["wape"],
                    "coverage": r["coverage"],
                    "seconds": report.seconds[role],
                }
            )
        truth = simulated[1] if name == "synthetic" and simulated else None
        oracle = with_oracle(report.points, truth) if truth is not None else None
        series = series_mase_with_oracle(report, oracle) if oracle is not None else None
        if oracle is not None and series is not None:
            rows.append(
                {
                    "data set": rows[-1]["data set"],
                    "model": "oracle (true distribution)",
                    **oracle_row(oracle, series),
                    "seconds": np.nan,
                }
            )
        # the yardstick: the plain statsforecast models (SeasonalNaive, AutoETS,
        # AutoARIMA); a reference of our own (seasonal_naive_level) is printed, not counted
        plain = [r for r in references if r in REFERENCES]
        best_ref = min((overall.loc[r, "mase"] for r in plain), default=np.nan)
        rows.append(
            {
                "data set": f"{name}",
                "model": "gain vs best plain model (MASE)",
                "MASE": 1 - overall.loc["chosen", "mase"] / best_ref,
                "WAPE": np.nan,
                "coverage": np.nan,
                "seconds": total,
            }
        )
        class_rows.extend(class_coverage(report, name, oracle))
        if oracle is not None and series is not None:
            print(
                "\n[synthetic] by the class that generated each series:\n"
                + by_true_class(oracle, series).to_string(
                    index=False, float_format=lambda v: f"{v:.3f}"
                ),
                flush=True,
            )
        picked = report.metrics[
            (report.metrics["level"] == "series") & (report.metrics["role"] == "chosen")
        ]
        print(
            f"[{name}] models chosen (last window): {picked['model'].value_counts().to_dict()}",
            flush=True,
        )
        shown = len(references) + 2 + (oracle is not None)
        print(pd.DataFrame(rows[-shown:]).to_string(index=False), flush=True)
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    stem = f"forecast_accuracy_{args.sets.replace(',', '_')}"
    table.to_csv(RESULTS / f"{stem}.csv", index=False)
    classes = pd.DataFrame(class_rows)
    classes.to_csv(RESULTS / f"{stem}_classes.csv", index=False)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(
        "\ncoverage of p10-p90 by demand class (selected model; class at each window's origin,"
        " series-bootstrap 90% interval; last-window = older attribution):"
    )
    print(classes.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
