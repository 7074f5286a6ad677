"""One run at a time across processes, and a real `kill -9` of `supplycast plan` mid-run."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from storage.db import make_engine
from storage.migrate import upgrade
from storage.plan_tables import RESULT_TABLES, PlanAllocation, PlanRun
from storage.plans import STALE_RUN_ERROR, latest_published_run
from supplycast.daily_plan import PlanRunLockedError, run_plan
from supplycast.plan_steps.cores import resolve_cores
from tests.service.conftest import FAST, migrated_with_network
from tests.service.lock_holder import REPO_ROOT, plan_lock_held_elsewhere, subprocess_env
from tests.service.network import LAST_DAY


def _runs(url: str) -> list[PlanRun]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.execute(select(PlanRun).order_by(PlanRun.id)).scalars())
    finally:
        engine.dispose()


def _row_counts(url: str, run_id: int) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return {
                table.__tablename__: session.execute(
                    select(func.count()).where(table.plan_run_id == run_id)
                ).scalar_one()
                for table in RESULT_TABLES
            }
    finally:
        engine.dispose()


def _slow_route_plan_cli(url: str, *options: str) -> subprocess.Popen[bytes]:
    """`supplycast plan` in a subprocess, fast up to a route step that searches for 15 s."""
    return subprocess.Popen(
        [sys.executable, "-m", "supplycast.cli", "plan", *options]
        + ["--forecast-models", "seasonal_naive", "--forecast-windows", "1"]
        + ["--route-seconds", "30", "--route-seconds-per-stop", "15"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO_ROOT,
        env=subprocess_env(url),
    )


def _running_at_route(url: str, process: subprocess.Popen[bytes]) -> PlanRun | None:
    """The running run once it is at the route step (polled up to 90 s), else None."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        candidates = [r for r in _runs(url) if r.status == "running"]
        if candidates and candidates[0].current_step == "route":
            return candidates[0]
        assert process.poll() is None, "the plan run ended before it could be stopped"
        time.sleep(0.05)
    return None


def test_second_run_fails_fast_while_another_process_holds_the_lock(plan_db: str) -> None:
    with plan_lock_held_elsewhere(plan_db):
        started = time.perf_counter()
        with pytest.raises(PlanRunLockedError, match="another plan run is in progress"):
            run_plan(plan_db, LAST_DAY, parameters=FAST)
        assert time.perf_counter() - started < 5.0  # fails fast, does not wait
        assert _runs(plan_db) == []  # the refused run left no row
    summary = run_plan(plan_db, LAST_DAY, parameters=FAST, cores=resolve_cores())
    assert summary.status == "published"


def test_cli_exits_2_with_a_clear_message_when_locked(network_dir: Path, tmp_path: Path) -> None:
    """The CLI side of the lock (SQLite only: the lock itself is tested on both above)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    with plan_lock_held_elsewhere(url):
        cli = subprocess.run(
            [sys.executable, "-m", "supplycast.cli", "plan", "--date", str(LAST_DAY)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=subprocess_env(url),
            timeout=120,
        )
        assert cli.returncode == 2
        assert (
            cli.stderr.strip()
            .splitlines()[-1]
            .startswith("error: another plan run is in progress on this database (lock file")
        )
        assert _runs(url) == []


@pytest.mark.skipif(
    bool(resolve_cores().missing), reason="needs every core to reach the route step"
)
def test_kill_9_mid_run_keeps_the_published_plan_and_next_run_recovers(plan_db: str) -> None:
    published = run_plan(plan_db, LAST_DAY, parameters=FAST)
    assert published.status == "published"
    published_counts = _row_counts(plan_db, published.run_id)

    process = _slow_route_plan_cli(plan_db, "--date", str(LAST_DAY))
    try:
        running = _running_at_route(plan_db, process)
        assert running is not None, "the plan run never reached the route step"
        # Mid-way: the new run already wrote allocations, unseen by readers.
        assert _row_counts(plan_db, running.id)["plan_allocations"] > 0
        process.kill()  # SIGKILL: no cleanup code runs
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -9

    engine = make_engine(plan_db)
    try:
        with Session(engine) as session:
            assert latest_published_run(session).id == published.run_id
            assert session.get(PlanRun, running.id).status == "running"  # until the next start
            assert (
                session.execute(
                    select(func.count()).where(PlanAllocation.plan_run_id == running.id)
                ).scalar_one()
                > 0
            )
    finally:
        engine.dispose()
    assert _row_counts(plan_db, published.run_id) == published_counts

    # The lock died with the process: the next run starts, recovers the stale run, publishes.
    after = run_plan(plan_db, LAST_DAY, parameters=FAST)
    assert after.status == "published"
    assert after.recovered_run_ids == (running.id,)
    assert after.version == running.version + 1
    stale = {r.id: r for r in _runs(plan_db)}[running.id]
    assert (stale.status, stale.error) == ("failed", STALE_RUN_ERROR)
    assert sum(_row_counts(plan_db, running.id).values()) == 0
    assert _row_counts(plan_db, after.run_id) == published_counts


@pytest.mark.slow
@pytest.mark.skipif(
    bool(resolve_cores().missing), reason="needs every core to reach the route step"
)
def test_sigterm_mid_run_marks_the_run_failed_at_once(network_dir: Path, tmp_path: Path) -> None:
    """SIGTERM (unlike SIGKILL) lets the CLI record the failure itself (SQLite only)."""
    url = migrated_with_network(f"sqlite:///{tmp_path / 'term.db'}", network_dir)
    process = _slow_route_plan_cli(url)
    try:
        running = _running_at_route(url, process)
        assert running is not None, "the plan run never reached the route step"
        process.terminate()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + 15
    [run] = _runs(url)
    assert run.status == "failed" and "SystemExit" in run.error
    assert run.steps["route"]["status"] == "failed"
    assert sum(_row_counts(url, run.id).values()) == 0
    after = run_plan(url, LAST_DAY, parameters=FAST)
    assert (after.status, after.recovered_run_ids, after.version) == ("published", (), 2)


def test_cli_on_an_unmigrated_database_is_one_clear_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    cli = subprocess.run(
        [sys.executable, "-m", "supplycast.cli", "plan"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(url),
        timeout=120,
    )
    assert cli.returncode == 1
    last = cli.stderr.strip().splitlines()[-1]
    assert last.startswith("error: database error:") and "supplycast db upgrade" in last
    assert "Traceback" not in cli.stderr
