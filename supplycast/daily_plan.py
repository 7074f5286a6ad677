"""The daily plan run: load inputs as of D -> forecast -> replenish -> allocate -> route -> publish.

`run_plan` is the one entry point (CLI `supplycast plan`, the scheduler, the API's trigger and
the demo call it). It
1. takes the plan-run lock of the database (`supplycast.plan_steps.run_lock`; a second run
   fails fast with `PlanRunLockedError`),
2. marks runs left `running` by a dead process as failed (`storage.plans.recover_stale_runs`),
3. inserts a `running` run with the next version of its as-of date,
4. runs each step, storing the current step, its timing and outcome on the run, and writing
   its result rows under the run,
5. publishes the run in one transaction (readers switch to it at that commit), or on an
   error marks it failed and deletes its rows, so the previous published plan stays served.

A step whose core is not importable yet is recorded as `skipped` with the reason (and the
steps that need its output are skipped too); nothing is faked. The dating convention (a plan
as of D sees data through D and acts on D + 1) is in `supplycast.plan_steps.inputs`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db import make_engine
from storage.plan_tables import (
    PlanAllocation,
    PlanBacktestMetric,
    PlanForecast,
    PlanRouteLeg,
    PlanSuggestion,
    PlanUnserved,
)
from storage.plans import (
    fail_plan_run,
    publish_plan_run,
    recover_stale_runs,
    save_result_rows,
    start_plan_run,
    update_plan_run_progress,
)
from supplycast.plan_steps.allocate_step import (
    allocation_rows,
    build_allocation_inputs,
    run_allocation,
)
from supplycast.plan_steps.cores import PlanCores, resolve_cores
from supplycast.plan_steps.forecast_step import (
    backtest_rows,
    build_forecast_inputs,
    forecast_rows,
    run_forecast,
)
from supplycast.plan_steps.inputs import (
    FleetParameters,
    PlanningInputs,
    PlanParameters,
    latest_sales_date,
    load_planning_inputs,
    parameters_from_settings,
    plan_parameters,
)
from supplycast.plan_steps.replenish_step import run_replenishment
from supplycast.plan_steps.route_step import build_route_problems, route_leg_rows, unserved_rows
from supplycast.plan_steps.run_lock import PlanRunLockedError, plan_run_lock

__all__ = [
    "STEP_NAMES",
    "FleetParameters",
    "PlanParameters",
    "PlanRunLockedError",
    "PlanRunSummary",
    "PlanningInputs",
    "StepOutcome",
    "parameters_from_settings",
    "plan_parameters",
    "recover_interrupted_runs",
    "run_plan",
]

STEP_NAMES = ("load", "forecast", "replenish", "allocate", "route", "publish")
"""The pipeline's steps, in order (the keys of `PlanRun.steps`)."""


@dataclass(frozen=True)
class StepOutcome:
    """How a step ended: `status` is done | skipped | failed; `seconds` of wall time."""

    name: str
    status: str
    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class PlanRunSummary:
    """The result of `run_plan`: the run's id, date, version, final status and what happened."""

    run_id: int
    as_of: dt.date
    version: int
    status: str
    steps: tuple[StepOutcome, ...]
    counts: dict[str, int]
    warnings: tuple[str, ...]
    recovered_run_ids: tuple[int, ...] = ()
    error: str | None = None


class _StepSkipped(Exception):
    """Raised inside a step to record it as skipped with a reason."""


class _Recorder:
    """Keeps the run row's progress fields in step with the pipeline."""

    def __init__(self, session: Session, run_id: int, progress: Callable[[str], None] | None):
        self.session = session
        self.run_id = run_id
        self.progress = progress
        self.steps: dict[str, dict[str, Any]] = {}
        self.warnings: list[str] = []
        self.counts: dict[str, int] = {}

    def begin(self, name: str) -> float:
        update_plan_run_progress(
            self.session,
            run_id=self.run_id,
            current_step=name,
            steps=self.steps,
            warnings=self.warnings,
        )
        if self.progress is not None:
            self.progress(name)
        return time.perf_counter()

    def end(self, name: str, started: float, status: str, detail: str = "") -> None:
        self.steps[name] = {
            "status": status,
            "seconds": round(time.perf_counter() - started, 3),
            "detail": detail,
        }

    def outcomes(self) -> tuple[StepOutcome, ...]:
        return tuple(
            StepOutcome(name, s["status"], float(s["seconds"]), s.get("detail", ""))
            for name, s in self.steps.items()
        )


def _skip_all(recorder: _Recorder, names: tuple[str, ...], reason: str) -> None:
    for name in names:
        recorder.steps[name] = {"status": "skipped", "seconds": 0.0, "detail": reason}


def run_plan(
    database_url: str,
    as_of: dt.date | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    parameters: PlanParameters | None = None,
    cores: PlanCores | None = None,
    triggered_by: str = "cli",
) -> PlanRunSummary:
    """Run the daily plan for `as_of` on the database at `database_url` and publish it.

    `as_of` None = the latest sales date in the database (today, UTC, when there are no
    sales). `progress` is called with each step's name when it starts. Returns the summary;
    a failed step gives `status == "failed"` and `error` (the previous plan stays served).
    Raises `PlanRunLockedError` at once when another run holds the lock.
    """
    parameters = parameters or PlanParameters()
    cores = cores or resolve_cores()
    engine = make_engine(database_url)
    try:
        with plan_run_lock(engine), Session(engine, expire_on_commit=False) as session:
            recovered = tuple(recover_stale_runs(session))
            if as_of is None:
                as_of = latest_sales_date(engine) or dt.datetime.now(dt.UTC).date()
            run = start_plan_run(
                session,
                as_of=as_of,
                triggered_by=triggered_by,
                pid=os.getpid(),
                hostname=socket.gethostname(),
            )
            assert run.id is not None
            recorder = _Recorder(session, run.id, progress)
            try:
                _run_steps(engine, session, recorder, as_of, parameters, cores)
                started = recorder.begin("publish")
                recorder.end("publish", started, "done")
                published = publish_plan_run(
                    session,
                    run_id=run.id,
                    steps=recorder.steps,
                    counts=recorder.counts,
                    warnings=recorder.warnings,
                )
            except BaseException as raised:
                exc = _interrupt_behind(raised) or raised
                failed_step = next(
                    (n for n in STEP_NAMES if n not in recorder.steps), STEP_NAMES[-1]
                )
                recorder.steps[failed_step] = {
                    "status": "failed",
                    "seconds": 0.0,
                    "detail": repr(exc),
                }
                error = f"step {failed_step} failed: {type(exc).__name__}: {exc}"
                fail_plan_run(
                    session,
                    run_id=run.id,
                    error=error + "\n" + traceback.format_exc(limit=8),
                    steps=recorder.steps,
                    warnings=recorder.warnings,
                )
                if exc is raised and not isinstance(exc, Exception):
                    raise  # KeyboardInterrupt / SystemExit: recorded, then propagate
                if exc is not raised:  # an interrupt wrapped by a C extension: unwrap it
                    raise exc from None
                return PlanRunSummary(
                    run_id=run.id,
                    as_of=as_of,
                    version=run.version,
                    status="failed",
                    steps=recorder.outcomes(),
                    counts={},
                    warnings=tuple(recorder.warnings),
                    recovered_run_ids=recovered,
                    error=error,
                )
            return PlanRunSummary(
                run_id=run.id,
                as_of=as_of,
                version=published.version,
                status=published.status,
                steps=recorder.outcomes(),
                counts=dict(recorder.counts),
                warnings=tuple(recorder.warnings),
                recovered_run_ids=recovered,
            )
    finally:
        engine.dispose()


def _interrupt_behind(exc: BaseException) -> BaseException | None:
    """The KeyboardInterrupt / SystemExit that `exc` is or was raised from, else None.

    A signal handler's SystemExit that lands while a C extension initialises comes out as
    `ImportError: initialization failed` caused by it; the run must still stop as interrupted.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt | SystemExit):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def recover_interrupted_runs(database_url: str) -> tuple[int, ...] | None:
    """Mark runs left `running` by a process that died (e.g. `kill -9`) as failed and delete
    their rows, as the next plan run would; returns their ids.

    Returns None, touching nothing, when a plan run is in progress (it holds the plan-run
    lock, so its `running` row is alive). `supplycast serve` calls this at start.
    """
    engine = make_engine(database_url)
    try:
        with plan_run_lock(engine), Session(engine) as session:
            return tuple(recover_stale_runs(session))
    except PlanRunLockedError:
        return None
    finally:
        engine.dispose()


def _run_steps(
    engine: Engine,
    session: Session,
    recorder: _Recorder,
    as_of: dt.date,
    parameters: PlanParameters,
    cores: PlanCores,
) -> None:
    run_id = recorder.run_id

    started = recorder.begin("load")
    inputs = load_planning_inputs(engine, as_of, parameters)
    recorder.counts["sales_rows"] = len(inputs.sales)
    recorder.end("load", started, "done", f"{len(inputs.sales)} sales rows through {as_of}")

    # forecast
    started = recorder.begin("forecast")
    if cores.forecast is None:
        reason = cores.missing.get("forecast", "forecasting core not available")
        recorder.end("forecast", started, "skipped", reason)
        _skip_all(recorder, ("replenish", "allocate", "route"), "needs forecasts: " + reason)
        return
    if not len(inputs.sales):
        recorder.end("forecast", started, "skipped", f"no sales on or before {as_of}")
        _skip_all(recorder, ("replenish", "allocate", "route"), "needs forecasts: no sales")
        return
    history, future, warnings = build_forecast_inputs(inputs, parameters)
    recorder.warnings.extend(warnings)
    result = run_forecast(cores.forecast, inputs, parameters, history, future)
    recorder.warnings.extend(result.warnings)
    forecasts = result.forecasts.copy()
    forecasts["date"] = pd.to_datetime(forecasts["date"]).dt.normalize()
    recorder.counts["forecasts"] = save_result_rows(
        session, run_id=run_id, table=PlanForecast, frame=forecast_rows(forecasts)
    )
    recorder.counts["backtest_metrics"] = save_result_rows(
        session, run_id=run_id, table=PlanBacktestMetric, frame=backtest_rows(result.selection)
    )
    recorder.end("forecast", started, "done", f"{len(result.selection)} series")

    # replenish
    started = recorder.begin("replenish")
    if cores.plan_replenishment is None:
        reason = cores.missing.get("plan_replenishment", "replenishment core not available")
        recorder.end("replenish", started, "skipped", reason)
        _skip_all(recorder, ("allocate", "route"), "needs suggestions: " + reason)
        return
    suggestions, warnings = run_replenishment(
        cores.plan_replenishment, inputs, forecasts, parameters, history
    )
    recorder.warnings.extend(warnings)
    recorder.counts["suggestions"] = save_result_rows(
        session, run_id=run_id, table=PlanSuggestion, frame=suggestions
    )
    recorder.end(
        "replenish", started, "done", f"{int((suggestions['order_qty'] > 0).sum())} orders"
    )

    # allocate
    started = recorder.begin("allocate")
    if cores.allocate_stock is None:
        reason = cores.missing.get("allocate_stock", "allocation core not available")
        recorder.end("allocate", started, "skipped", reason)
        _skip_all(recorder, ("route",), "needs shipments: " + reason)
        return
    stock, needs, lanes, capacity = build_allocation_inputs(inputs, suggestions, parameters)
    if not len(needs):
        recorder.end("allocate", started, "done", "no front site needs stock")
        recorder.counts["allocations"] = 0
        _skip_all(recorder, ("route",), "no shipments")
        return
    allocation = run_allocation(
        cores.allocate_stock, inputs, parameters, stock, needs, lanes, capacity
    )
    shipments = allocation.shipments
    recorder.counts["allocations"] = save_result_rows(
        session,
        run_id=run_id,
        table=PlanAllocation,
        frame=allocation_rows(shipments, lanes, inputs.plan_date),
    )
    summary = allocation.summary
    recorder.counts["shortage_units"] = int(
        round(float(getattr(summary, "shortage_units", 0) or 0))
    )
    recorder.end(
        "allocate",
        started,
        "done",
        f"status {getattr(summary, 'status', '?')}, {len(shipments)} shipments, "
        f"{getattr(summary, 'shortage_units', '?')} units short",
    )

    # route
    started = recorder.begin("route")
    if cores.plan_routes is None or cores.depot is None:
        reason = cores.missing.get("plan_routes", "routing core not available")
        recorder.end("route", started, "skipped", reason)
        return
    if not len(shipments):
        recorder.end("route", started, "done", "no shipments to route")
        return
    legs_count = unserved_count = 0
    fleet = parameters.fleet
    for depot, latitude, longitude, stops, vehicles in build_route_problems(
        inputs, shipments, fleet
    ):
        plan = cores.plan_routes(
            stops,
            vehicles,
            cores.depot(location=depot, latitude=latitude, longitude=longitude),
            time_limit_seconds=fleet.route_time_limit(len(stops)),
            speed_kmh=fleet.speed_kmh,
        )
        legs_count += save_result_rows(
            session,
            run_id=run_id,
            table=PlanRouteLeg,
            frame=route_leg_rows(plan.legs, depot, inputs.plan_date),
        )
        unserved_count += save_result_rows(
            session, run_id=run_id, table=PlanUnserved, frame=unserved_rows(plan.unserved, depot)
        )
    recorder.counts["route_legs"] = legs_count
    recorder.counts["unserved_stops"] = unserved_count
    if unserved_count:
        recorder.warnings.append(
            f"{unserved_count} delivery stops could not be routed (see unserved)"
        )
    recorder.end("route", started, "done", f"{legs_count} legs, {unserved_count} unserved")
