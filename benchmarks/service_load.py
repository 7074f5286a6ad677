"""Load test: 50 concurrent warehouse clients pull a 2,000-line allocation page from a uvicorn
server on PostgreSQL while new plan versions are published.

Setup: a fresh PostgreSQL schema, migrated; locations R1, F1; one warehouse key for F1; plan
versions written and published through `storage.plans` (start -> save rows -> publish, the daily
plan's own publish path), each with 2,000 shipments R1 -> F1 whose `units` encode the run id
(`run_id * 10_000 + i`), so a response mixing two versions is detectable row by row.

Measured: p50/p90/p99/max latency, requests, errors (non-200 or transport), mixed responses,
and as the same-run reference the latency of one client pulling the same page sequentially
(ratio = concurrent / sequential); the server's own mean time per request (its /metrics) and,
with one worker, its CPU milliseconds per request, to tell server cost from machine contention.
Run:

    .venv/bin/python benchmarks/service_load.py [--clients 50] [--seconds 20] [--workers 1]
        [--interval-seconds 0]

Closed loop (the default, `--interval-seconds 0`) has every client ask again the moment its
answer arrives: it measures saturation, and on this 2-core machine the 50 clients' own JSON
parsing (one Python process) competes with the server for the CPU. Paced mode
(`--interval-seconds 1`: every warehouse system polls once a second, 50 requests/s offered)
measures the latency a polling integrator sees.

Needs PostgreSQL (SUPPLYCAST_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test).
Writes benchmarks/results/service_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pandas as pd
import psycopg
from sqlmodel import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api.security import generate_api_key, hash_api_key, key_display_prefix  # noqa: E402
from storage.api_queries import add_api_key  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.plan_tables import PlanAllocation  # noqa: E402
from storage.plans import publish_plan_run, save_result_rows, start_plan_run  # noqa: E402
from storage.tables import Location  # noqa: E402

POSTGRES_URL = os.environ.get(
    "SUPPLYCAST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
ROWS = 2000
AS_OF = dt.date(2024, 3, 4)
RESULTS = REPO / "benchmarks" / "results"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def publish_version(database_url: str) -> int:
    """Write and publish one plan version of ROWS shipments R1 -> F1; returns its run id."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            run = start_plan_run(session, as_of=AS_OF, triggered_by="benchmark")
            assert run.id is not None
            frame = pd.DataFrame(
                {
                    "sku": [f"S{i:05d}" for i in range(ROWS)],
                    "origin": "R1",
                    "destination": "F1",
                    "units": [run.id * 10_000 + i for i in range(ROWS)],
                    "ship_date": AS_OF,
                    "arrival_date": AS_OF + dt.timedelta(days=1),
                }
            )
            save_result_rows(session, run_id=run.id, table=PlanAllocation, frame=frame)
            publish_plan_run(
                session, run_id=run.id, steps={}, counts={"allocations": ROWS}, warnings=[]
            )
            return run.id
    finally:
        engine.dispose()


def publish_loop(database_url: str, every_seconds: float, stop: Any, count: Any) -> None:
    """Publish a new version every `every_seconds` until `stop` is set (a separate process)."""
    while not stop.is_set():
        publish_version(database_url)
        with count.get_lock():
            count.value += 1
        stop.wait(every_seconds)


def setup_database(database_url: str) -> str:
    """Migrate, add locations and a warehouse key for F1; returns the key."""
    upgrade(database_url)
    engine = make_engine(database_url)
    key = generate_api_key()
    try:
        with Session(engine) as session:
            session.add(
                Location(location="R1", name="R", kind="regional", latitude=31.0, longitude=121.0)
            )
            session.add(
                Location(
                    location="F1",
                    name="F",
                    kind="front",
                    parent="R1",
                    latitude=31.1,
                    longitude=121.1,
                )
            )
            add_api_key(
                session,
                name="bench F1",
                key_hash=hash_api_key(key),
                key_prefix=key_display_prefix(key),
                role="warehouse",
                location="F1",
            )
            session.commit()
    finally:
        engine.dispose()
    return key


def check_body(body: dict) -> bool:
    """True when every row of the page belongs to the plan run named in the body."""
    run_id = body["plan"]["plan_run_id"]
    return len(body["items"]) == ROWS and all(
        int(r["units"]) // 10_000 == run_id for r in body["items"]
    )


async def pull_page(client: httpx.AsyncClient, outcome: dict[str, int]) -> bool:
    """One request for the page; counts errors, versions and mixed bodies; False on error."""
    try:
        response = await client.get("/v1/locations/F1/allocations", params={"limit": ROWS})
    except httpx.HTTPError:
        outcome["errors"] += 1
        return False
    if response.status_code != 200:
        outcome["errors"] += 1
        return False
    body = response.json()
    outcome["requests"] += 1
    outcome["versions_seen"] = max(outcome["versions_seen"], body["plan"]["version"])
    if not check_body(body):
        outcome["mixed"] += 1
    return True


async def client_loop(
    client: httpx.AsyncClient,
    stop_at: float,
    latencies: list[float],
    outcome: dict[str, int],
    interval_seconds: float = 0.0,
) -> None:
    """One warehouse system: pull the page, check it, and (paced mode) wait until
    `interval_seconds` after the previous request started; 0 = closed loop, no pause.

    Latency is timed around the request alone; in paced mode the schedule is fixed (a client
    that fell behind asks again at once), so a stall is not hidden by skipped requests."""
    next_start = time.perf_counter()
    while time.perf_counter() < stop_at:
        if interval_seconds > 0:
            await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
            next_start += interval_seconds
        started = time.perf_counter()
        ok = await pull_page(client, outcome)
        if ok:
            latencies.append(time.perf_counter() - started)


async def run_clients(
    base: str, key: str, clients: int, seconds: float, interval_seconds: float = 0.0
) -> tuple[list[float], dict[str, int]]:
    """`clients` warehouse systems on one event loop for `seconds`.

    Each client is created and makes one untimed warm-up request before the clock starts: an
    `httpx.AsyncClient` costs ~25 ms of CPU to build (its SSL context), and 50 of them built
    while others' requests are in flight would block this event loop and be measured as
    server latency. Warm-up responses are checked (errors, mixed versions) like the rest."""
    latencies: list[float] = []
    outcome = {"requests": 0, "errors": 0, "mixed": 0, "versions_seen": 0}
    headers = {"Authorization": f"Bearer {key}"}
    pool = [httpx.AsyncClient(base_url=base, headers=headers, timeout=30.0) for _ in range(clients)]
    try:
        for client in pool:
            await pull_page(client, outcome)
        stop_at = time.perf_counter() + seconds
        offsets = [interval_seconds * i / clients for i in range(clients)]

        async def staggered(client: httpx.AsyncClient, offset: float) -> None:
            await asyncio.sleep(offset)
            await client_loop(client, stop_at, latencies, outcome, interval_seconds)

        await asyncio.gather(*(staggered(c, o) for c, o in zip(pool, offsets, strict=True)))
    finally:
        for client in pool:
            await client.aclose()
    return latencies, outcome


def client_process(
    base: str,
    key: str,
    clients: int,
    seconds: float,
    interval_seconds: float,
    offset_seconds: float,
    results: Any,
) -> None:
    """One client process (as each warehouse system is its own program): `clients` clients on
    one event loop; puts (latencies, outcome, cpu seconds) on the `results` queue."""
    time.sleep(offset_seconds)
    cpu_before = time.process_time()
    latencies, outcome = asyncio.run(run_clients(base, key, clients, seconds, interval_seconds))
    results.put((latencies, outcome, time.process_time() - cpu_before))


def run_client_processes(
    base: str, key: str, clients: int, processes: int, seconds: float, interval_seconds: float
) -> tuple[list[float], dict[str, int], float]:
    """`clients` clients spread over `processes` processes (round-robin), staggered within one
    interval; returns all latencies, the summed outcome and the clients' total CPU seconds."""
    results: Any = multiprocessing.Queue()
    shares = [
        clients // processes + (1 if i < clients % processes else 0) for i in range(processes)
    ]
    workers = [
        multiprocessing.Process(
            target=client_process,
            args=(
                base,
                key,
                n,
                seconds,
                interval_seconds,
                interval_seconds * i / processes,
                results,
            ),
        )
        for i, n in enumerate(shares)
        if n > 0
    ]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    outcome = {"requests": 0, "errors": 0, "mixed": 0, "versions_seen": 0}
    cpu = 0.0
    for _ in workers:
        part, part_outcome, part_cpu = results.get()
        latencies.extend(part)
        cpu += part_cpu
        for name in ("requests", "errors", "mixed"):
            outcome[name] += part_outcome[name]
        outcome["versions_seen"] = max(outcome["versions_seen"], part_outcome["versions_seen"])
    for worker in workers:
        worker.join()
    return latencies, outcome, cpu


def server_seconds(base: str) -> tuple[float, float]:
    """(sum of seconds, count) of the allocation route from the server's /metrics histogram
    (summed over workers only when there is one: with several, /metrics shows one worker)."""
    text = httpx.get(f"{base}/metrics", timeout=30).text
    route = 'method="GET",route="/v1/locations/{location}/allocations"'
    total = count = 0.0
    for line in text.splitlines():
        if line.startswith(f"supplycast_http_request_duration_seconds_sum{{{route}}}"):
            total = float(line.rsplit(" ", 1)[1])
        elif line.startswith(f"supplycast_http_request_duration_seconds_count{{{route}}}"):
            count = float(line.rsplit(" ", 1)[1])
    return total, count


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--publish-every", type=float, default=1.0, help="seconds between versions")
    parser.add_argument(
        "--interval-seconds",
        type=float,
        default=0.0,
        help="paced mode: each client pulls once per interval (0 = closed loop, no pause)",
    )
    parser.add_argument(
        "--client-processes",
        type=int,
        default=1,
        help="spread the clients over this many processes (each warehouse system is a program)",
    )
    args = parser.parse_args()

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    database_url = f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
    port = _free_port()
    server = None
    try:
        key = setup_database(database_url)
        publish_version(database_url)
        env = {**os.environ, "SUPPLYCAST_DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.app:app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=REPO,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.2)

        # reference: one client, sequential, no publishing
        reference, ref_outcome = asyncio.run(run_clients(base, key, 1, min(5.0, args.seconds / 2)))

        # the publisher is its own process, as a plan run is: it must not share the clients' GIL
        stop = multiprocessing.Event()
        published_count = multiprocessing.Value("i", 0)
        publisher = multiprocessing.Process(
            target=publish_loop, args=(database_url, args.publish_every, stop, published_count)
        )
        publisher.start()
        before = server_seconds(base)
        cpu_before = process_cpu_seconds(server.pid)
        latencies, outcome, client_cpu = run_client_processes(
            base, key, args.clients, args.client_processes, args.seconds, args.interval_seconds
        )
        after = server_seconds(base)
        cpu_used = process_cpu_seconds(server.pid) - cpu_before
        stop.set()
        publisher.join(60)
        published = published_count.value
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    ref_p50 = statistics.median(reference)
    p50, p90, p99 = (percentile(latencies, q) for q in (0.5, 0.9, 0.99))
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "interval_seconds": args.interval_seconds,
        "client_processes": args.client_processes,
        "rows_per_page": ROWS,
        "requests_ok": outcome["requests"],
        "errors": outcome["errors"] + ref_outcome["errors"],
        "mixed_responses": outcome["mixed"] + ref_outcome["mixed"],
        "versions_published_during_load": published,
        "highest_version_seen": outcome["versions_seen"],
        "throughput_rps": outcome["requests"] / args.seconds,
        "p50_ms": p50 * 1000,
        "p90_ms": p90 * 1000,
        "p99_ms": p99 * 1000,
        "max_ms": max(latencies) * 1000,
        "server_mean_ms": 1000 * (after[0] - before[0]) / max(after[1] - before[1], 1.0),
        "server_cpu_ms_per_request": (
            1000 * cpu_used / max(after[1] - before[1], 1.0) if args.workers == 1 else float("nan")
        ),
        "client_cpu_ms_per_response": 1000 * client_cpu / max(outcome["requests"], 1),
        "load_average_1min": os.getloadavg()[0],
        "reference_sequential_p50_ms": ref_p50 * 1000,
        "p50_over_reference": p50 / ref_p50,
        "goal_p99_under_100ms": p99 * 1000 < 100,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "service_load.json").write_text(json.dumps(result, indent=2))
    print(f"{'metric':<34}{'value':>14}")
    for name, value in result.items():
        shown = f"{value:.1f}" if isinstance(value, float) else str(value)
        print(f"{name:<34}{shown:>14}")


if __name__ == "__main__":
    main()
