"""Import speed of the Walmart sales history (421,570 rows) into SQLite and PostgreSQL.

Run: `.venv/bin/python benchmarks/import_sales.py [--naive-rows 5000]`

For each database (a fresh SQLite file under benchmarks/results/, a fresh PostgreSQL schema
that is dropped afterwards; PostgreSQL skipped when unreachable) it measures, in one run:

- `bulk import`: `import_kind(engine, "sales", sales.csv)` into an empty sales table: read,
  validate, upsert (SQLite executemany ON CONFLICT / PostgreSQL COPY + INSERT ON CONFLICT);
- `bulk re-import`: the same file again (every row hits ON CONFLICT DO UPDATE);
- `naive ORM insert`: the reference, `session.add(Sale(...)); session.flush()` row by row for
  the first N rows of the same frame, one commit at the end.

Printed: rows, wall seconds, rows per wall second, the ratio of rows/s to the naive ORM
insert on the same database in the same run, and CPU seconds (this process plus, for
PostgreSQL, the server backend read from /proc) with rows per CPU second. The machine is
shared, so wall times are noisy; the ratio and rows per CPU second are the steadier figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from storage.db import make_engine  # noqa: E402
from storage.frames import load_frame  # noqa: E402
from storage.importing import import_directory, import_kind  # noqa: E402
from storage.importing.walmart import adapt_walmart  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.tables import Sale  # noqa: E402

WALMART_DIR = REPO_ROOT.parent / "shared" / "data" / "walmart_store_sales"
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
POSTGRES_URL = os.environ.get(
    "SUPPLYCAST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Timing:
    database: str
    path: str
    rows: int
    wall_seconds: float
    cpu_seconds: float  # this process plus, on PostgreSQL, the server backend that did the work

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.wall_seconds

    @property
    def rows_per_cpu_second(self) -> float:
        return self.rows / self.cpu_seconds


def _backend_pid(engine: Engine) -> int | None:
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _process_cpu_seconds(pid: int | None) -> float:
    """utime + stime of a local process from /proc (the PostgreSQL backend), 0 if unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(database: str, path: str, engine: Engine, action: Callable[[], int]) -> Timing:
    """Run `action` (which uses `engine`, one pooled connection at a time) and time it."""
    pid = _backend_pid(engine)
    server = _process_cpu_seconds(pid)
    cpu, wall = time.process_time(), time.perf_counter()
    rows = action()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    if pid is not None and _backend_pid(engine) != pid:
        raise RuntimeError("the pool opened a second connection; server CPU not measured")
    server = _process_cpu_seconds(pid) - server
    return Timing(database, path, rows, wall, cpu + server)


def prepared_database(url: str, csv_dir: Path) -> None:
    """Migrate and load the items and locations the sales reference."""
    upgrade(url, "0001_inputs")
    engine = make_engine(url)
    try:
        reference_dir = RESULTS_DIR / "walmart_reference"
        reference_dir.mkdir(parents=True, exist_ok=True)
        for kind in ("items", "locations"):
            (reference_dir / f"{kind}.csv").write_bytes((csv_dir / f"{kind}.csv").read_bytes())
        import_directory(engine, reference_dir)
    finally:
        engine.dispose()


def naive_orm_insert(engine: Engine, sales_csv: Path, rows: int) -> int:
    import pandas as pd

    frame = pd.read_csv(sales_csv, nrows=rows, parse_dates=["date"])
    with Session(engine) as session:
        for record in frame.itertuples(index=False):
            session.add(
                Sale(
                    sku=record.sku,
                    location=record.location,
                    date=record.date.date(),
                    units=float(record.units),
                )
            )
            session.flush()
        session.commit()
    return len(frame)


def bench_database(name: str, url: str, csv_dir: Path, naive_rows: int) -> list[Timing]:
    sales_csv = csv_dir / "sales.csv"
    prepared_database(url, csv_dir)
    engine = make_engine(url)
    try:

        def import_sales() -> int:
            return import_kind(engine, "sales", sales_csv).total_rows

        first = timed(name, "bulk import", engine, import_sales)
        again = timed(name, "bulk re-import", engine, import_sales)
        stored = len(load_frame(engine, "sales"))
        assert stored == first.rows, (stored, first.rows)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM sales"))
        naive = timed(
            name,
            "naive ORM insert",
            engine,
            lambda: naive_orm_insert(engine, sales_csv, naive_rows),
        )
    finally:
        engine.dispose()
    return [first, again, naive]


def postgres_schema_url() -> tuple[str, str] | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3, autocommit=True) as conn:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # unreachable: report and skip
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}", schema


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-rows", type=int, default=5000)
    args = parser.parse_args()
    if not WALMART_DIR.is_dir():
        sys.exit(f"{WALMART_DIR} is absent")
    csv_dir = RESULTS_DIR / "walmart_csv"
    adapt_walmart(WALMART_DIR, csv_dir)
    timings: list[Timing] = []
    sqlite_file = RESULTS_DIR / "import_sales.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    timings += bench_database("sqlite", f"sqlite:///{sqlite_file}", csv_dir, args.naive_rows)
    postgres = postgres_schema_url()
    if postgres is not None:
        url, schema = postgres
        try:
            timings += bench_database("postgresql", url, csv_dir, args.naive_rows)
        finally:
            drop_schema(schema)
    naive = {t.database: t.rows_per_second for t in timings if t.path == "naive ORM insert"}
    print(
        f"{'database':<11} {'path':<17} {'rows':>8} {'wall s':>7} {'rows/s':>9} "
        f"{'x naive':>8} {'cpu s':>6} {'rows/cpu s':>10}"
    )
    for t in timings:
        print(
            f"{t.database:<11} {t.path:<17} {t.rows:>8} {t.wall_seconds:>7.2f} "
            f"{t.rows_per_second:>9,.0f} {t.rows_per_second / naive[t.database]:>8.1f} "
            f"{t.cpu_seconds:>6.2f} {t.rows_per_cpu_second:>10,.0f}"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
