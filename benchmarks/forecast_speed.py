"""Speed of `forecasting.forecast` end to end on many simulated daily series.

Run: .venv/bin/python benchmarks/forecast_speed.py [--series 10000] [--days 730]
    [--reference-series 200] [--cli]

Simulates N sku x location series of `days` daily units (70% smooth Poisson with a weekly
pattern, promotions and temperature effects; 30% sparse Poisson), features `on_promo` and
`temperature_c` known over the horizon, horizon 28, quantiles 0.1/0.5/0.9, selection
included (one backtest window). Configurations timed:
- fast-global: SeasonalNaive, CrostonOptimized, TSB, LightGBM global (no per-series ETS);
- ForecastConfig.fast(): SeasonalNaive, AutoETS, CrostonOptimized, TSB (the level-adjusted
  seasonal naive of weekly data and the top-down share of weekly and monthly data are not
  tried on daily series; only on
  --reference-series series, extrapolated, because AutoETS costs ~0.1-1 s per series here);
- raw statsforecast AutoETS(season_length=7) forecast only, on --reference-series series;
- with `--cli`: `supplycast forecast` end to end in a subprocess, once with the fast-global
  models and one window (`--models seasonal_naive,croston_optimized,tsb,lightgbm --windows
  1`) and once with the command's defaults (every class candidate, 3 windows, seasonal
  calibration, all cores, per-series AutoETS/MSTL within the default `--fit-budget` of 150
  core-seconds): reading H.csv and X.csv (written first, not timed), validation, forecast,
  writing F.csv; its peak RSS is the child process's; the defaults run's warnings are
  printed.
Prints one table: configuration, series, seconds, series/s, peak RSS (MiB).
Peak RSS is the process high-water mark (ru_maxrss) after each step, so it is cumulative.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS

from forecasting import ForecastConfig, forecast

HORIZON = 28


def simulate(n_series: int, days: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=days + HORIZON, freq="D")
    t = np.arange(days + HORIZON)
    weekly = 1 + 0.3 * np.sin(2 * np.pi * t / 7)
    temperature = 15 + 10 * np.sin(2 * np.pi * (t - 100) / 365.25)
    level = np.where(
        rng.random(n_series) < 0.7, rng.gamma(2.0, 10.0, n_series), rng.uniform(0.05, 0.5, n_series)
    )
    promo = (rng.random((n_series, days + HORIZON)) < 0.05).astype(float)
    rate = (
        level[:, None]
        * weekly[None, :]
        * (1 + 0.5 * promo)
        * (1 + 0.01 * (temperature[None, :] - 15))
    )
    units = rng.poisson(np.clip(rate, 0, None)).astype(float)
    sku = np.repeat([f"SKU{i // 10:05d}" for i in range(n_series)], days + HORIZON)
    loc = np.repeat([f"L{i % 10}" for i in range(n_series)], days + HORIZON)
    frame = pd.DataFrame(
        {
            "sku": sku,
            "location": loc,
            "date": np.tile(dates, n_series),
            "units": units.ravel(),
            "on_promo": promo.ravel(),
            "temperature_c": np.tile(temperature, n_series),
        }
    )
    history = frame[frame["date"] < dates[days]].reset_index(drop=True)
    future = frame[frame["date"] >= dates[days]].drop(columns=["units"]).reset_index(drop=True)
    return history, future


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Runs `supplycast forecast` (supplycast.cli:main) in a fresh interpreter and prints the
# process's own peak RSS (VmHWM of /proc/self/status, kB) on stderr at exit: ru_maxrss of a
# child also counts the parent's pages at fork, which exec keeps in the rusage.
CLI_WITH_PEAK = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print("VmHWM_kB", kb, file=sys.stderr)
atexit.register(peak)
from supplycast.cli import main
sys.argv = ["supplycast", *sys.argv[1:]]
main()
"""


FAST_GLOBAL_ARGS = ("--windows", "1", "--models", "seasonal_naive,croston_optimized,tsb,lightgbm")


def time_cli(
    h: Path, x: Path, n_series: int, quantiles: str, options: tuple[str, ...]
) -> tuple[float, float, list[str]]:
    """(seconds, peak RSS MiB of the command's process, its warnings) of `supplycast
    forecast` on the CSVs `h` and `x` with `options` (the models and windows; none = the
    command's defaults). Linux only (reads /proc/self/status)."""
    out = h.with_name("F.csv")
    command = [
        sys.executable,
        "-c",
        CLI_WITH_PEAK,
        "forecast",
        *("--history", str(h), "--future", str(x), "--out", str(out)),
        *("--horizon", str(HORIZON), "--quantiles", quantiles),
        *options,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"supplycast forecast failed:\n{done.stderr}")
    rows = sum(1 for _ in out.open()) - 1
    if rows != n_series * HORIZON:
        raise SystemExit(f"supplycast forecast wrote {rows} rows")
    lines = done.stderr.splitlines()
    peak_kb = next(line.split()[1] for line in lines if line.startswith("VmHWM_kB"))
    return seconds, int(peak_kb) / 1024, [line for line in lines if line.startswith("warning")]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--reference-series", type=int, default=200)
    parser.add_argument(
        "--cli", action="store_true", help="also time supplycast forecast end to end on CSVs"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    history, future = simulate(args.series, args.days)
    quantiles = (0.1, 0.5, 0.9)

    ids = history[["sku", "location"]].drop_duplicates().head(args.reference_series)
    small_h = history.merge(ids)
    small_f = future.merge(ids)
    long = small_h.assign(unique_id=small_h["sku"] + "|" + small_h["location"]).rename(
        columns={"date": "ds", "units": "y"}
    )
    started = time.perf_counter()
    StatsForecast([AutoETS(season_length=7)], freq="D").forecast(
        df=long[["unique_id", "ds", "y"]], h=HORIZON, level=[80]
    )
    seconds = time.perf_counter() - started
    ref_rate = len(ids) / seconds
    rows.append(
        ("raw statsforecast AutoETS (forecast only)", len(ids), seconds, ref_rate, peak_mib())
    )

    started = time.perf_counter()
    forecast(small_h, HORIZON, future=small_f, quantiles=quantiles, config=ForecastConfig.fast())
    seconds = time.perf_counter() - started
    rows.append(
        ("forecast, ForecastConfig.fast()", len(ids), seconds, len(ids) / seconds, peak_mib())
    )

    config = ForecastConfig(
        models=("seasonal_naive", "croston_optimized", "tsb", "lightgbm"), n_windows=1
    )
    started = time.perf_counter()
    result = forecast(history, HORIZON, future=future, quantiles=quantiles, config=config)
    seconds = time.perf_counter() - started
    assert len(result.forecasts) == args.series * HORIZON
    rows.append(
        (
            "forecast, fast-global (SN, Croston, TSB, LightGBM)",
            args.series,
            seconds,
            args.series / seconds,
            peak_mib(),
        )
    )
    chosen = result.selection["model"].value_counts().to_dict()
    cli_warnings: list[str] = []
    if args.cli:
        qs = ",".join(str(q) for q in quantiles)
        with tempfile.TemporaryDirectory() as folder:  # CSVs written before any clock starts
            h, x = Path(folder, "H.csv"), Path(folder, "X.csv")
            history.to_csv(h, index=False)
            future.to_csv(x, index=False)
            for label, options in (
                ("supplycast forecast CLI, fast-global, CSV in/out", FAST_GLOBAL_ARGS),
                ("supplycast forecast CLI, defaults, CSV in/out", ()),
            ):
                seconds, child_mib, said = time_cli(h, x, args.series, qs, options)
                rows.append((label, args.series, seconds, args.series / seconds, child_mib))
                cli_warnings += said if not options else []

    table = pd.DataFrame(
        rows, columns=["configuration", "series", "seconds", "series/s", "peak RSS MiB"]
    )
    table["vs raw AutoETS"] = table["series/s"] / ref_rate
    pd.set_option("display.width", 160)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"extrapolated to {args.series} series: fast() {args.series / rows[1][3]:.0f} s,"
        f" raw AutoETS {args.series / ref_rate:.0f} s"
    )
    print(f"models chosen (fast-global): {chosen}")
    for line in cli_warnings:
        print(f"CLI defaults {line}")


if __name__ == "__main__":
    main()
