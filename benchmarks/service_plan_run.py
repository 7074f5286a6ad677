"""Daily plan run on the synthetic sample network: seconds per step, rows written.

    .venv/bin/python benchmarks/service_plan_run.py [--skus 200] [--models seasonal_naive]
        [--windows 1] [--database-url URL]

Generates the sample (`supplycast.sample`, seeded), imports it into a fresh database
(SQLite file under benchmarks/results/ by default, or a PostgreSQL URL whose schema you own),
runs `run_plan` twice (version 1 and 2 of the same as-of date) and prints one table:
step, status, seconds of each run, detail. `--models default` uses the forecaster's own
model choice (much slower: full model selection). Also reports the import time as the
same-run reference, so step times can be read as ratios on a noisy shared machine.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.table import Table

from storage.db import make_engine
from storage.importing import import_directory
from storage.migrate import upgrade
from supplycast.daily_plan import PlanParameters, run_plan
from supplycast.sample import SampleConfig, generate_sample, write_sample

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=200)
    parser.add_argument("--models", default="seasonal_naive", help="comma list, or 'default'")
    parser.add_argument("--windows", default="1", help="backtest windows, or 'default'")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    RESULTS.mkdir(exist_ok=True)
    config = SampleConfig(n_skus=args.skus)
    csv_dir = RESULTS / f"plan_sample_{args.skus}"
    write_sample(generate_sample(config), csv_dir)
    url = args.database_url
    if url is None:
        db = RESULTS / f"plan_run_{args.skus}.db"
        for suffix in ("", "-wal", "-shm", ".plan-lock"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    report = import_directory(engine, csv_dir)
    import_seconds = time.perf_counter() - started
    engine.dispose()

    parameters = PlanParameters(
        forecast_models=None if args.models == "default" else tuple(args.models.split(",")),
        forecast_windows=None if args.windows == "default" else int(args.windows),
    )
    summaries = []
    for _ in range(2):
        started = time.perf_counter()
        summary = run_plan(url, config.end_date, parameters=parameters, triggered_by="benchmark")
        summaries.append((summary, time.perf_counter() - started))

    table = Table(
        title=(
            f"daily plan on the sample: {args.skus} skus x 8 fronts, models={args.models}, "
            f"windows={args.windows}; import {sum(report.rows_by_kind.values())} rows "
            f"in {import_seconds:.1f} s (reference)"
        )
    )
    for column in ("step", "status", "run 1 s", "run 2 s", "x import", "detail (run 2)"):
        table.add_column(column)
    first, second = summaries[0][0], summaries[1][0]
    for a, b in zip(first.steps, second.steps, strict=True):
        table.add_row(
            a.name,
            b.status,
            f"{a.seconds:.2f}",
            f"{b.seconds:.2f}",
            f"{b.seconds / import_seconds:.2f}",
            b.detail,
        )
    table.add_row(
        "total",
        f"{first.status}/{second.status}",
        f"{summaries[0][1]:.1f}",
        f"{summaries[1][1]:.1f}",
        f"{summaries[1][1] / import_seconds:.2f}",
        f"versions {first.version}, {second.version}",
    )
    console = Console(width=160)
    console.print(table)
    console.print("counts: " + ", ".join(f"{k}={v}" for k, v in second.counts.items()))
    for warning in second.warnings:
        console.print(f"warning: {warning}")


if __name__ == "__main__":
    main()
