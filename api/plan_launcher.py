"""Starting a plan run from the API in a background thread and learning its id.

`run_plan(database_url, as_of, *, progress)` (PLAN's `supplycast.daily_plan`) creates the
`plan_runs` row itself and only returns when the run is over, so the launcher starts it in a
thread and watches the table for the first run id above the newest one seen before the start.
`run_plan` takes a cross-process lock; a run refused by it raises `PlanRunLockedError` before
creating a row, which the launcher reports as "not started". The runner is called as
`runner(database_url, as_of, triggered_by="api")`.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from api.metrics import ApiMetrics
from storage.api_queries import newest_plan_run_id
from storage.db import make_engine
from storage.plan_tables import PlanRun


class PlanRunNotStarted(RuntimeError):
    """The run could not start (another run is in progress, or it failed before its row)."""


@dataclass(frozen=True)
class StartedRun:
    plan_run_id: int
    status: str


class PlanLauncher:
    """At most one API-started plan run at a time, in a daemon thread."""

    def __init__(
        self,
        *,
        database_url: str,
        runner: Callable[..., Any] | None,
        metrics: ApiMetrics,
        parameters: Any = None,
        start_timeout_seconds: float = 30.0,
    ) -> None:
        """`runner` None = `run_plan` with `parameters` (a `PlanParameters`; None = its
        defaults); a given runner is called as is."""
        self.database_url = database_url
        self._runner = runner
        self._parameters = parameters
        self._metrics = metrics
        self._start_timeout_seconds = start_timeout_seconds
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _resolve_runner(self) -> Callable[..., Any]:
        if self._runner is None:
            from supplycast.daily_plan import run_plan

            self._runner = functools.partial(run_plan, parameters=self._parameters)
        return self._runner

    def start(self, as_of: date | None) -> StartedRun:
        """Start a run for `as_of` and return its id once its row exists.

        Raises:
            PlanRunNotStarted: a run started here is still going, or the runner failed
                before creating its row (e.g. the cross-process lock is held).
        """
        runner = self._resolve_runner()
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise PlanRunNotStarted("a plan run started by this server is still running")
            engine = make_engine(self.database_url)
            try:
                with Session(engine) as session:
                    before = newest_plan_run_id(session)
                self._error = None
                thread = threading.Thread(
                    target=self._run, args=(runner, as_of), name="plan-run", daemon=True
                )
                self._thread = thread
                thread.start()
                return self._wait_for_row(engine, thread, before)
            finally:
                engine.dispose()

    def _run(self, runner: Callable[..., Any], as_of: date | None) -> None:
        started = time.perf_counter()
        outcome = "failed"
        try:
            summary = runner(self.database_url, as_of, triggered_by="api")
            outcome = str(getattr(summary, "status", "published"))
        except BaseException as exc:  # recorded; the run marks itself failed in the table
            self._error = exc
        finally:
            self._metrics.plan_run_seconds.labels(outcome).observe(time.perf_counter() - started)

    def _wait_for_row(self, engine: Any, thread: threading.Thread, before: int) -> StartedRun:
        deadline = time.monotonic() + self._start_timeout_seconds
        while True:
            with Session(engine) as session:
                row = session.exec(
                    select(PlanRun).where(PlanRun.id > before).order_by(PlanRun.id).limit(1)  # type: ignore[arg-type,operator]
                ).first()
            if row is not None and row.id is not None:
                return StartedRun(plan_run_id=row.id, status=row.status)
            if not thread.is_alive():
                reason = str(self._error) if self._error is not None else "it ended without a run"
                raise PlanRunNotStarted(f"the plan run did not start: {reason}")
            if time.monotonic() > deadline:
                raise PlanRunNotStarted("the plan run did not create its row in time")
            time.sleep(0.02)

    def wait(self, *, timeout_seconds: float) -> None:
        """Wait up to `timeout_seconds` for a run started here to finish."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_seconds)
