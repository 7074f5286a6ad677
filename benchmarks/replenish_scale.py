"""`supplycast replenish` on 100,000 sku x locations: wall time of the whole command.

Generates (seeded) F.csv with 100,000 daily series x 28 horizon days (mean, p05, p10, p50,
p90, p95, model), I.csv and P.csv (lead times 1-14 days, reviews 1/7 days, fill-rate and
cycle targets, MOQ, packs, some capacities, shelf lives and order days) under
benchmarks/results/replenish_scale/, then times, in the same run:

- `supplycast replenish` as a subprocess (process start, imports, CSV read, plan, S.csv
  write: the figure the target <= 10 s refers to), with its peak resident memory;
- `plan_replenishment` alone on frames already in memory;
- a naive reference: a pandas script that reads the same CSVs, sums the mean over each
  series' protection interval with a groupby, orders up to 1.15 x that, and writes the
  result (no quantiles, constraints, flags or explanations);
- group fill-rate targets (P.csv `service_group`, replenishment/group_service.py):
  `plan_replenishment` with every service_level set to 0.95 and all rows in one group, and
  in 10 groups, against the same frames without groups (the reference). Wall time without
  tracing; peak memory of a second call under tracemalloc (numpy's buffers included).

Run: `.venv/bin/python benchmarks/replenish_scale.py [n_series] [--cumulative]` (default
100000). `--cumulative` adds `cum_p05`..`cum_p95` columns to F.csv (quantiles of the demand
from the first forecast day to each row's end; cumulative sd^2 = half the summed daily
variances plus half the squared summed sds), so every series is planned from cumulative
quantiles; its inputs live under benchmarks/results/replenish_scale/cumulative/.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "benchmarks" / "results" / "replenish_scale"
HORIZON = 28


def generate(n: int, out: Path, seed: int = 7, cumulative: bool = False) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    skus = np.array([f"SKU{i // 50:05d}" for i in range(n)])
    locations = np.array([f"LOC{i % 50:03d}" for i in range(n)])
    level = rng.gamma(1.5, 8.0, n)
    dates = pd.date_range("2025-03-03", periods=HORIZON, freq="D").strftime("%Y-%m-%d").to_numpy()
    mean = np.repeat(level, HORIZON) * (
        1 + 0.2 * np.sin(np.tile(np.arange(HORIZON), n) * 2 * np.pi / 7)
    )
    sd = 0.3 * mean + 0.5
    fc = pd.DataFrame(
        {
            "sku": np.repeat(skus, HORIZON),
            "location": np.repeat(locations, HORIZON),
            "date": np.tile(dates, n),
            "mean": mean.round(3),
        }
    )
    for q, z in ((5, -1.6449), (10, -1.2816), (50, 0.0), (90, 1.2816), (95, 1.6449)):
        fc[f"p{q:02d}"] = np.maximum(mean + z * sd, 0).round(3)
    if cumulative:
        cum_mean = mean.reshape(n, HORIZON).cumsum(axis=1).ravel()
        cum_sd = np.sqrt(
            0.5 * (sd**2).reshape(n, HORIZON).cumsum(axis=1)
            + 0.5 * sd.reshape(n, HORIZON).cumsum(axis=1) ** 2
        ).ravel()
        for q, z in ((5, -1.6449), (10, -1.2816), (50, 0.0), (90, 1.2816), (95, 1.6449)):
            fc[f"cum_p{q:02d}"] = np.maximum(cum_mean + z * cum_sd, 0).round(3)
    fc["model"] = np.where(
        np.repeat(rng.random(n) < 0.02, HORIZON), "cold_start_profile", "auto_ets"
    )
    inv = pd.DataFrame(
        {
            "sku": skus,
            "location": locations,
            "on_hand": rng.poisson(level * 6),
            "on_order": rng.poisson(level * 2) * (rng.random(n) < 0.3),
        }
    )
    pol = pd.DataFrame(
        {
            "sku": skus,
            "location": locations,
            "lead_time_days": rng.integers(1, 15, n),
            "review_period_days": rng.choice([1, 7], n),
            "service_level": rng.choice([0.9, 0.95, 0.98], n),
            "lead_time_std_days": rng.choice([0.0, 1.0], n),
            "service_type": rng.choice(["fill_rate", "cycle"], n, p=[0.8, 0.2]),
            "moq": rng.choice([0, 12, 24], n),
            "pack_size": rng.choice([1, 6, 12], n),
            "max_units": np.where(rng.random(n) < 0.2, 500, np.nan),
            "shelf_life_days": np.where(rng.random(n) < 0.1, 10, np.nan),
            "order_days": np.where(rng.random(n) < 0.1, "Mon;Thu", ""),
        }
    )
    paths = {"F": out / "F.csv", "I": out / "I.csv", "P": out / "P.csv"}
    fc.to_csv(paths["F"], index=False)
    inv.to_csv(paths["I"], index=False)
    pol.to_csv(paths["P"], index=False)
    return paths


def naive_reference(paths: dict[str, Path], out: Path) -> None:
    fc = pd.read_csv(paths["F"], dtype={"sku": str, "location": str}, engine="pyarrow")
    inv = pd.read_csv(paths["I"], dtype={"sku": str, "location": str}, engine="pyarrow")
    pol = pd.read_csv(paths["P"], dtype={"sku": str, "location": str}, engine="pyarrow")
    fc["day"] = fc.groupby(["sku", "location"]).cumcount()
    merged = fc.merge(
        pol[["sku", "location", "lead_time_days", "review_period_days"]], on=["sku", "location"]
    )
    inside = merged[merged["day"] < merged["lead_time_days"] + merged["review_period_days"]]
    demand = inside.groupby(["sku", "location"], as_index=False)["mean"].sum()
    result = demand.merge(inv, on=["sku", "location"])
    result["order_up_to"] = 1.15 * result["mean"]
    result["order_qty"] = np.maximum(
        result["order_up_to"] - result["on_hand"] - result["on_order"], 0
    ).round()
    result.to_csv(out, index=False)


def group_rows(frames: list[pd.DataFrame], n: int) -> pd.DataFrame:
    """plan_replenishment at service_level 0.95 without groups, in one group, in 10 groups:
    wall s, cpu s, ratio to the no-group run, and tracemalloc peak MB (a second call)."""
    from replenishment import plan_replenishment

    forecasts, inventory, policy = frames
    policy = policy.assign(service_level=0.95)
    cases = {
        "no groups (reference)": "",
        "1 group": "G",
        "10 groups": np.array([f"G{i % 10}" for i in range(len(policy))]),
    }
    rows = []
    reference = np.nan
    for name, group in cases.items():
        grouped = not isinstance(group, str) or group != ""
        pol = policy.assign(service_group=group)
        started, cpu = time.perf_counter(), time.process_time()
        plan_replenishment(forecasts, inventory, pol)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        tracemalloc.start()
        plan_replenishment(forecasts, inventory, pol)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        reference = reference if grouped else wall
        rows.append(
            {
                "what": f"plan_replenishment, service 0.95, {name}",
                "series": n,
                "wall s": round(wall, 2),
                "cpu s": round(cpu, 2),
                "ratio to no groups": round(wall / reference, 2),
                "peak MB": round(peak),
                "target": "<= 3x, < 2 GB" if grouped else "",
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cumulative = "--cumulative" in sys.argv[1:]
    n = int(args[0]) if args else 100_000
    out = OUT / "cumulative" if cumulative else OUT
    started = time.perf_counter()
    paths = {"F": out / "F.csv", "I": out / "I.csv", "P": out / "P.csv"}
    marker = out / f"generated_{n}"
    if not marker.exists():  # reuse the inputs of an earlier run with the same size
        for old in out.glob("generated_*"):
            old.unlink()
        paths = generate(n, out, cumulative=cumulative)
        marker.touch()
    print(
        f"inputs for {n} series x {HORIZON} days ready in {time.perf_counter() - started:.1f} s"
        f"{' (with cumulative quantiles)' if cumulative else ''}",
        flush=True,
    )
    exe = REPO / ".venv" / "bin" / "supplycast"
    # this checkout's code: its .venv's entry point, else `python -m supplycast.cli` run from
    # REPO (a git worktree without a .venv of its own, run with another checkout's python)
    launcher = [str(exe)] if exe.exists() else [sys.executable, "-m", "supplycast.cli"]
    cmd = [
        *launcher,
        "replenish",
        "--forecasts",
        str(paths["F"]),
        "--inventory",
        str(paths["I"]),
        "--policy",
        str(paths["P"]),
        "--out",
        str(out / "S.csv"),
        "--date",
        "2025-03-03",
    ]
    load_before = os.getloadavg()[0]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=REPO)
    cli_seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli_peak_mb = children.ru_maxrss / 1024  # KB on Linux; the CLI is the first child
    cli_cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[:2000])

    from replenishment import plan_replenishment
    from supplycast.commands.replenish import read_csv

    frames = [read_csv(paths[k]) for k in ("F", "I", "P")]
    started, cpu = time.perf_counter(), time.process_time()
    result = plan_replenishment(*frames)
    core_seconds, core_cpu = time.perf_counter() - started, time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    naive_reference(paths, out / "naive.csv")
    naive_seconds, naive_cpu = time.perf_counter() - started, time.process_time() - cpu

    table = pd.DataFrame(
        [
            {
                "what": "supplycast replenish (CLI, end to end)",
                "series": n,
                "wall s": round(cli_seconds, 2),
                "cpu s": round(cli_cpu, 2),
                "wall ratio to naive": round(cli_seconds / naive_seconds, 2),
                "peak RSS MB": round(cli_peak_mb),
                "target": "<= 10 s",
            },
            {
                "what": "plan_replenishment (in memory)",
                "series": n,
                "wall s": round(core_seconds, 2),
                "cpu s": round(core_cpu, 2),
                "wall ratio to naive": round(core_seconds / naive_seconds, 2),
                "target": "",
            },
            {
                "what": "naive pandas reference (read, sum, 1.15x, write)",
                "series": n,
                "wall s": round(naive_seconds, 2),
                "cpu s": round(naive_cpu, 2),
                "wall ratio to naive": 1.0,
                "target": "",
            },
        ]
    )
    table = pd.concat([table, group_rows(frames, n)], ignore_index=True)
    print(f"load average (1 min) before the CLI run: {load_before:.1f} on {os.cpu_count()} CPUs")
    print(proc.stdout.strip())
    print(f"orders suggested: {int((result['order_qty'] > 0).sum())}")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
