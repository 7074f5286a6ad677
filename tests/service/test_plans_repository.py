"""Plan repository on both databases: versions, publish, fail, stale recovery, reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlmodel import Session

from storage.db import make_engine
from storage.migrate import downgrade, upgrade
from storage.plan_tables import PlanAllocation, PlanForecast, PlanRun
from storage.plans import (
    STALE_RUN_ERROR,
    fail_plan_run,
    latest_published_run,
    list_plan_runs,
    load_result_frame,
    publish_plan_run,
    recover_stale_runs,
    save_result_rows,
    start_plan_run,
)

D1 = dt.date(2025, 3, 1)
D2 = dt.date(2025, 3, 2)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def _allocations(units: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": [f"S{i}" for i in range(len(units))],
            "origin": "R1",
            "destination": "F1",
            "units": units,
            "ship_date": pd.Timestamp(D1),
            "arrival_date": [pd.NaT] + [pd.Timestamp(D2)] * (len(units) - 1),
            "not_a_column": 1,
        }
    )


def _publish(session: Session, run: PlanRun) -> PlanRun:
    return publish_plan_run(session, run_id=run.id, steps={}, counts={}, warnings=[])


def test_versions_count_per_as_of_date(session: Session) -> None:
    runs = [start_plan_run(session, as_of=d) for d in (D1, D1, D2, D1)]
    assert [(r.as_of, r.version, r.status) for r in runs] == [
        (D1, 1, "running"),
        (D1, 2, "running"),
        (D2, 1, "running"),
        (D1, 3, "running"),
    ]
    assert [r.id for r in list_plan_runs(session, limit=2)] == [runs[3].id, runs[2].id]


def test_rows_are_invisible_until_publish_and_reads_pin_the_run(session: Session) -> None:
    first = start_plan_run(session, as_of=D1)
    assert (
        save_result_rows(session, run_id=first.id, table=PlanAllocation, frame=_allocations([5, 6]))
        == 2
    )
    assert latest_published_run(session) is None  # running: readers see nothing yet
    _publish(session, first)
    second = start_plan_run(session, as_of=D1)
    save_result_rows(session, run_id=second.id, table=PlanAllocation, frame=_allocations([7, 8, 9]))
    assert latest_published_run(session).id == first.id
    published = _publish(session, second)
    assert (published.status, published.version) == ("published", 2)
    assert published.published_at is not None and published.published_at.tzinfo is not None
    assert latest_published_run(session).id == second.id
    frame = load_result_frame(session, run_id=first.id, table=PlanAllocation)
    assert list(frame["units"]) == [5.0, 6.0]
    assert frame["arrival_date"].tolist() == [None, D2]
    only = load_result_frame(session, run_id=second.id, table=PlanAllocation, sku="S2")
    assert list(only["units"]) == [9.0]


def test_publish_refuses_a_run_that_is_not_running(session: Session) -> None:
    run = start_plan_run(session, as_of=D1)
    fail_plan_run(session, run_id=run.id, error="boom", steps={"load": {"status": "failed"}})
    with pytest.raises(ValueError, match="not running"):
        _publish(session, run)
    assert session.get(PlanRun, run.id).status == "failed"


def test_fail_and_stale_recovery_delete_the_runs_rows(session: Session) -> None:
    served = start_plan_run(session, as_of=D1)
    save_result_rows(session, run_id=served.id, table=PlanAllocation, frame=_allocations([1]))
    _publish(session, served)
    failed = start_plan_run(session, as_of=D1)
    save_result_rows(session, run_id=failed.id, table=PlanAllocation, frame=_allocations([2]))
    fail_plan_run(session, run_id=failed.id, error="step allocate failed", steps={})
    stale = start_plan_run(session, as_of=D1)
    save_result_rows(session, run_id=stale.id, table=PlanAllocation, frame=_allocations([3, 4]))

    assert recover_stale_runs(session) == [stale.id]
    assert recover_stale_runs(session) == []  # idempotent
    session.expire_all()
    recovered = session.get(PlanRun, stale.id)
    assert (recovered.status, recovered.error) == ("failed", STALE_RUN_ERROR)
    assert recovered.finished_at is not None
    for run in (failed, stale):
        assert load_result_frame(session, run_id=run.id, table=PlanAllocation).empty
    assert list(load_result_frame(session, run_id=served.id, table=PlanAllocation)["units"]) == [
        1.0
    ]
    assert latest_published_run(session).id == served.id


def test_forecast_rows_keep_extra_quantiles_as_json(session: Session) -> None:
    run = start_plan_run(session, as_of=D1)
    frame = pd.DataFrame(
        {
            "sku": ["A"],
            "location": ["F1"],
            "date": [pd.Timestamp(D2)],
            "mean": [4.5],
            "p10": [1.0],
            "p50": [4.0],
            "p90": [float("nan")],
            "quantiles": [{"p05": 0.5, "p95": 9.0}],
            "model": ["auto_ets"],
        }
    )
    save_result_rows(session, run_id=run.id, table=PlanForecast, frame=frame)
    row = load_result_frame(session, run_id=run.id, table=PlanForecast).iloc[0]
    assert (row["date"], row["mean"], row["p90"], row["quantiles"]) == (
        D2,
        4.5,
        None,
        {"p05": 0.5, "p95": 9.0},
    )


def test_only_result_tables_are_written(session: Session) -> None:
    with pytest.raises(ValueError, match="not a plan result table"):
        save_result_rows(session, run_id=1, table=PlanRun, frame=pd.DataFrame())


def test_migration_downgrades_to_inputs_only(database_url: str) -> None:
    upgrade(database_url)
    downgrade(database_url, "0001_inputs")
    engine = make_engine(database_url)
    try:
        from sqlalchemy import inspect

        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert "sales" in tables and not {t for t in tables if t.startswith("plan_")}
    upgrade(database_url)  # and back up again
