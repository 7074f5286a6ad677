"""The daily plan end to end on the tiny network: known answers, versions, atomic publish."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from storage.db import make_engine
from storage.plan_tables import (
    RESULT_TABLES,
    PlanAllocation,
    PlanForecast,
    PlanRouteLeg,
    PlanRun,
    PlanSuggestion,
)
from storage.plans import latest_published_run, load_result_frame
from supplycast.daily_plan import STEP_NAMES, run_plan
from supplycast.plan_steps.cores import PlanCores, resolve_cores
from tests.service.conftest import FAST
from tests.service.network import LAST_DAY

CORES = resolve_cores()
needs_all_cores = pytest.mark.skipif(
    bool(CORES.missing), reason=f"cores not all built yet: {dict(CORES.missing)}"
)


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


def _run(url: str, run_id: int) -> PlanRun:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            run = session.get(PlanRun, run_id)
            assert run is not None
            return run
    finally:
        engine.dispose()


@needs_all_cores
def test_pipeline_publishes_known_answers(plan_db: str) -> None:
    summary = run_plan(plan_db, LAST_DAY, parameters=FAST)

    assert summary.status == "published", summary.error
    assert (summary.as_of, summary.version) == (LAST_DAY, 1)
    assert [s.name for s in summary.steps] == list(STEP_NAMES)
    assert all(s.status == "done" for s in summary.steps)
    engine = make_engine(plan_db)
    try:
        with Session(engine) as session:
            run = latest_published_run(session)
            assert run is not None and run.id == summary.run_id and run.current_step is None
            assert run.steps["forecast"]["status"] == "done"
            forecasts = load_result_frame(session, run_id=run.id, table=PlanForecast)
            suggestions = load_result_frame(session, run_id=run.id, table=PlanSuggestion)
            allocations = load_result_frame(session, run_id=run.id, table=PlanAllocation)
            legs = load_result_frame(session, run_id=run.id, table=PlanRouteLeg)
    finally:
        engine.dispose()

    # 3 skus x 2 fronts x 28 days; seasonal naive repeats last week: Wed 2025-02-26 at F2 = 2*10.
    assert len(forecasts) == 3 * 2 * 28
    a_f2 = forecasts[(forecasts["sku"] == "A") & (forecasts["location"] == "F2")]
    assert a_f2.loc[a_f2["date"] == dt.date(2025, 2, 26), "mean"].item() == pytest.approx(20.0)
    # Front A@F2: lead 1 (lane) + review 1 day -> Wed + Thu demand 20 + 20 = 40; position 30;
    # need 10 rounded up to the pack of 6 -> 12, origin the parent R1.
    row = suggestions[(suggestions["sku"] == "A") & (suggestions["location"] == "F2")].iloc[0]
    assert row["demand_over_protection"] == pytest.approx(40.0)
    assert row["order_qty"] == pytest.approx(12.0)
    assert (row["origin"], row["location_kind"], row["review_status"]) == ("R1", "front", "pending")
    # Regional A@R1 sees the sum of both fronts' forecasts, ordered from supplier S1.
    regional = suggestions[(suggestions["sku"] == "A") & (suggestions["location"] == "R1")].iloc[0]
    assert (regional["origin"], regional["location_kind"]) == ("S1", "regional")
    assert regional["position"] == pytest.approx(600 + 120)  # on hand + open PO
    # R1 has stock for every front order: shipments equal the front orders, shipped on D+1.
    front_orders = suggestions[
        (suggestions["location_kind"] == "front") & (suggestions["order_qty"] > 0)
    ]
    expected = {(r.sku, "R1", r.location, r.order_qty) for r in front_orders.itertuples()}
    got = {(r.sku, r.origin, r.destination, r.units) for r in allocations.itertuples()}
    assert got == expected
    assert set(allocations["ship_date"]) == {LAST_DAY + dt.timedelta(days=1)}
    assert set(allocations["arrival_date"]) == {LAST_DAY + dt.timedelta(days=2)}
    # The route from R1 visits every destination once.
    stops = set(legs.loc[legs["stop"] != "R1", "stop"])
    assert stops == set(allocations["destination"])
    assert set(legs["depot"]) == {"R1"}


@needs_all_cores
def test_rerun_makes_a_new_version_without_duplicating_rows(plan_db: str) -> None:
    first = run_plan(plan_db, LAST_DAY, parameters=FAST)
    second = run_plan(plan_db, LAST_DAY, parameters=FAST)
    other_day = run_plan(plan_db, LAST_DAY - dt.timedelta(days=7), parameters=FAST)

    assert (first.version, second.version, other_day.version) == (1, 2, 1)
    assert first.run_id != second.run_id
    first_counts = _row_counts(plan_db, first.run_id)
    assert first_counts == _row_counts(plan_db, second.run_id)
    assert first_counts["plan_forecasts"] == 168
    engine = make_engine(plan_db)
    try:
        with Session(engine) as session:
            assert latest_published_run(session, as_of=LAST_DAY).id == second.run_id
            # Overall latest = latest as-of date, not the latest started run.
            assert latest_published_run(session).id == second.run_id
            earlier = latest_published_run(session, as_of=LAST_DAY - dt.timedelta(days=7))
            assert earlier.id == other_day.run_id
    finally:
        engine.dispose()


@needs_all_cores
def test_failing_step_leaves_previous_plan_served_and_no_rows(plan_db: str) -> None:
    good = run_plan(plan_db, LAST_DAY, parameters=FAST)
    good_counts = _row_counts(plan_db, good.run_id)
    seen_during_run: dict[str, object] = {}

    def allocate_then_break(*args: object, **kwargs: object) -> object:
        # While the new run is mid-way: its forecast rows exist, yet readers see the old plan.
        engine = make_engine(plan_db)
        try:
            with Session(engine) as session:
                seen_during_run["published"] = latest_published_run(session, as_of=LAST_DAY).id
                running = session.execute(
                    select(PlanRun).where(PlanRun.status == "running")
                ).scalar_one()
                seen_during_run["running_step"] = running.current_step
                seen_during_run["running_forecasts"] = len(
                    load_result_frame(session, run_id=running.id, table=PlanForecast)
                )
        finally:
            engine.dispose()
        raise RuntimeError("solver exploded")

    broken = dataclasses.replace(CORES, allocate_stock=allocate_then_break)
    failed = run_plan(plan_db, LAST_DAY, parameters=FAST, cores=broken)

    assert failed.status == "failed"
    assert "allocate" in failed.error and "solver exploded" in failed.error
    assert seen_during_run == {
        "published": good.run_id,
        "running_step": "allocate",
        "running_forecasts": 168,
    }
    assert _row_counts(plan_db, failed.run_id) == dict.fromkeys(good_counts, 0)
    assert _row_counts(plan_db, good.run_id) == good_counts
    run = _run(plan_db, failed.run_id)
    assert run.status == "failed" and run.steps["allocate"]["status"] == "failed"
    assert run.steps["replenish"]["status"] == "done"
    engine = make_engine(plan_db)
    try:
        with Session(engine) as session:
            assert latest_published_run(session).id == good.run_id
    finally:
        engine.dispose()
    # The next run works and becomes version 3 (the failed one keeps its number).
    again = run_plan(plan_db, LAST_DAY, parameters=FAST)
    assert (again.status, again.version) == ("published", 3)


def test_missing_core_is_skipped_not_faked(plan_db: str) -> None:
    no_forecaster = PlanCores(missing={"forecast": "core `forecasting` is not built yet"})
    summary = run_plan(plan_db, LAST_DAY, parameters=FAST, cores=no_forecaster)

    assert summary.status == "published"
    outcome = {s.name: (s.status, s.detail) for s in summary.steps}
    assert outcome["load"][0] == "done"
    assert outcome["forecast"] == ("skipped", "core `forecasting` is not built yet")
    for step in ("replenish", "allocate", "route"):
        assert outcome[step][0] == "skipped"
        assert "needs forecasts" in outcome[step][1]
    assert sum(_row_counts(plan_db, summary.run_id).values()) == 0


def test_default_as_of_is_the_last_sales_date(plan_db: str) -> None:
    summary = run_plan(plan_db, parameters=FAST, cores=PlanCores(missing={"forecast": "off"}))
    assert summary.as_of == LAST_DAY
    loaded = pd.Timestamp(summary.as_of)
    assert loaded == pd.Timestamp("2025-02-25")


@needs_all_cores
def test_interrupt_wrapped_by_an_extension_still_stops_the_run_as_interrupted(
    plan_db: str,
) -> None:
    """SIGTERM's SystemExit landing while a C extension initialises surfaces as
    `ImportError: initialization failed` raised from it (seen with the routing engine's import);
    the run is recorded as interrupted and the SystemExit propagates (CLI exit 143)."""

    def route_import_interrupted(*args: object, **kwargs: object) -> object:
        try:
            raise SystemExit(143)
        except SystemExit as exc:
            raise ImportError("initialization failed") from exc

    broken = dataclasses.replace(CORES, plan_routes=route_import_interrupted)
    with pytest.raises(SystemExit) as stopped:
        run_plan(plan_db, LAST_DAY, parameters=FAST, cores=broken)
    assert stopped.value.code == 143
    engine = make_engine(plan_db)
    try:
        with Session(engine) as session:
            [run] = session.execute(select(PlanRun)).scalars().all()
    finally:
        engine.dispose()
    assert run.status == "failed"
    assert run.error.startswith("step route failed: SystemExit: 143")
    assert run.steps["route"] == {"status": "failed", "seconds": 0.0, "detail": "SystemExit(143)"}
    assert sum(_row_counts(plan_db, run.id).values()) == 0
