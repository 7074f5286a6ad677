"""Recovery of runs left `running` by a dead process outside a plan run: `supplycast runs
recover`, `supplycast serve` at start, and the `supplycast runs list` history."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from storage.db import make_engine
from storage.migrate import upgrade
from storage.plan_tables import PlanAllocation, PlanRun
from storage.plans import STALE_RUN_ERROR, publish_plan_run, save_result_rows, start_plan_run
from supplycast.cli import app
from supplycast.daily_plan import recover_interrupted_runs
from tests.service.lock_holder import plan_lock_held_elsewhere

AS_OF = dt.date(2026, 3, 2)


def _allocations(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": [f"S{i}" for i in range(n)],
            "origin": "R1",
            "destination": "F1",
            "units": [float(i + 1) for i in range(n)],
            "ship_date": AS_OF,
            "arrival_date": AS_OF + dt.timedelta(days=1),
        }
    )


def make_published_and_dead_runs(url: str) -> tuple[int, int]:
    """A published run (3 rows) and a `running` run whose process is gone (2 rows)."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            published = start_plan_run(session, as_of=AS_OF)
            assert published.id is not None
            save_result_rows(
                session, run_id=published.id, table=PlanAllocation, frame=_allocations(3)
            )
            publish_plan_run(session, run_id=published.id, steps={}, counts={}, warnings=[])
            dead = start_plan_run(session, as_of=AS_OF)
            assert dead.id is not None
            save_result_rows(session, run_id=dead.id, table=PlanAllocation, frame=_allocations(2))
            return published.id, dead.id
    finally:
        engine.dispose()


def state_of_runs(url: str) -> dict[int, tuple[str, str | None, int]]:
    """run id -> (status, error, allocation rows)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            runs = session.execute(select(PlanRun)).scalars().all()
            return {
                run.id: (
                    run.status,
                    run.error,
                    session.execute(
                        select(func.count()).where(PlanAllocation.plan_run_id == run.id)
                    ).scalar_one(),
                )
                for run in runs
                if run.id is not None
            }
    finally:
        engine.dispose()


def test_recover_marks_the_dead_run_failed_and_leaves_the_published_one(database_url: str) -> None:
    published, dead = make_published_and_dead_runs(database_url)
    assert recover_interrupted_runs(database_url) == (dead,)
    assert state_of_runs(database_url) == {
        published: ("published", None, 3),
        dead: ("failed", STALE_RUN_ERROR, 0),
    }
    assert recover_interrupted_runs(database_url) == ()  # nothing left to recover


def test_recover_touches_nothing_while_a_plan_run_holds_the_lock(database_url: str) -> None:
    published, running = make_published_and_dead_runs(database_url)
    with plan_lock_held_elsewhere(database_url):
        assert recover_interrupted_runs(database_url) is None
        assert state_of_runs(database_url)[running] == ("running", None, 2)  # its lock is held
        result = CliRunner().invoke(app, ["runs", "recover", "--database-url", database_url])
        assert result.exit_code == 2
        assert "a plan run is in progress; nothing recovered" in result.output


def test_runs_cli_lists_the_history_and_recovers(database_url: str) -> None:
    published, dead = make_published_and_dead_runs(database_url)
    runner = CliRunner()
    listed = runner.invoke(app, ["runs", "list", "--database-url", database_url])
    assert listed.exit_code == 0, listed.output
    assert "plan runs: 2 of 2, newest first" in listed.output
    lines = [line for line in listed.output.splitlines() if "2026-03-02" in line]
    assert [line.split("│")[1].strip() for line in lines] == [str(dead), str(published)]
    assert ["running" in lines[0], "published" in lines[1]] == [True, True]

    recovered = runner.invoke(app, ["runs", "recover", "--database-url", database_url])
    assert recovered.exit_code == 0, recovered.output
    assert recovered.output.strip() == f"marked failed (interrupted earlier): run {dead}"
    failed = runner.invoke(
        app, ["runs", "list", "--status", "failed", "--database-url", database_url]
    )
    assert "plan runs: 1 of 1, newest first" in failed.output
    assert f"│ {dead} " in failed.output and "interrupted: the run's process ended" in failed.output
    bad = runner.invoke(app, ["runs", "list", "--status", "done", "--database-url", database_url])
    assert bad.exit_code == 2
    assert "expected one of running, published, failed, not 'done'" in bad.output
