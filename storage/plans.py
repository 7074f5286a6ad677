"""Keyword-only repository functions for plan runs: start, write results, publish, fail, read.

The publish protocol (why readers never see a half-written or mixed plan):
1. `start_plan_run` inserts a `plan_runs` row with status `running` and the next version for
   its as-of date (1, 2, ...). It must be called while holding the plan-run lock
   (`supplycast.plan_steps.run_lock`), which also makes the version count race-free.
2. Each pipeline step writes its rows with `save_result_rows`, tagged with the run's id.
   Readers never look at a `running` run, so these rows are invisible.
3. `publish_plan_run` flips status to `published` in one transaction. From that commit on,
   `latest_published_run` returns it; before, the previous published run.
4. On an error `fail_plan_run` marks the run `failed` and deletes its result rows. A run whose
   process died (`kill -9`) stays `running` until the next run's start, which calls
   `recover_stale_runs` under the lock and treats it the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session, SQLModel, col

from storage.plan_tables import RESULT_TABLES, PlanRun, utc_now

STALE_RUN_ERROR = "interrupted: the run's process ended before publishing (found at next start)"


def next_plan_version(session: Session, *, as_of: dt.date) -> int:
    """1 + the highest version of any run (whatever its status) for `as_of`."""
    highest = session.execute(
        select(func.max(col(PlanRun.version))).where(col(PlanRun.as_of) == as_of)
    ).one()[0]
    return 1 if highest is None else int(highest) + 1


def start_plan_run(
    session: Session,
    *,
    as_of: dt.date,
    triggered_by: str = "cli",
    pid: int | None = None,
    hostname: str | None = None,
) -> PlanRun:
    """Insert and commit a `running` run for `as_of` with the next version; return it."""
    run = PlanRun(
        as_of=as_of,
        version=next_plan_version(session, as_of=as_of),
        status="running",
        triggered_by=triggered_by,
        pid=pid,
        hostname=hostname,
    )
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def update_plan_run_progress(
    session: Session,
    *,
    run_id: int,
    current_step: str | None,
    steps: Mapping[str, Any],
    warnings: Sequence[str] = (),
) -> None:
    """Store the step being run and the outcome of the steps so far (commits)."""
    session.execute(
        update(PlanRun)
        .where(col(PlanRun.id) == run_id)
        .values(current_step=current_step, steps=dict(steps), warnings=list(warnings))
    )
    session.commit()


def _clean(value: Any) -> Any:
    """NaN/NaT -> None and numpy scalars -> Python scalars, for bound parameters."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def frame_to_rows(frame: pd.DataFrame, table: type[SQLModel]) -> list[dict[str, Any]]:
    """Records of `frame` restricted to `table`'s columns, NaN as None, dates as `date`."""
    columns = [c.name for c in table.__table__.columns if c.name in frame.columns]  # type: ignore[attr-defined]
    subset = frame[columns]
    rows = []
    for record in subset.to_dict(orient="records"):
        row = {key: _clean(value) for key, value in record.items()}
        for key, value in row.items():
            if isinstance(value, dt.datetime) and key in (
                "date",
                "ship_date",
                "arrival_date",
                "route_date",
            ):
                row[key] = value.date()
        rows.append(row)
    return rows


def save_result_rows(
    session: Session,
    *,
    run_id: int,
    table: type[SQLModel],
    frame: pd.DataFrame,
    chunk_size: int = 5000,
) -> int:
    """Bulk-insert `frame` (columns named as `table`'s) into `table` under `run_id`; commit.

    Returns the number of rows written. Columns of `frame` the table lacks are ignored.
    """
    if table not in RESULT_TABLES:
        raise ValueError(f"{table.__name__} is not a plan result table")
    rows = frame_to_rows(frame, table)
    for row in rows:
        row["plan_run_id"] = run_id
    for start in range(0, len(rows), chunk_size):
        session.execute(insert(table), rows[start : start + chunk_size])
    session.commit()
    return len(rows)


def delete_result_rows(session: Session, *, run_id: int) -> None:
    """Delete every result row of `run_id` (no commit)."""
    for table in RESULT_TABLES:
        session.execute(delete(table).where(table.plan_run_id == run_id))  # type: ignore[attr-defined]


def publish_plan_run(
    session: Session,
    *,
    run_id: int,
    steps: Mapping[str, Any],
    counts: Mapping[str, int],
    warnings: Sequence[str],
) -> PlanRun:
    """Flip `run_id` from `running` to `published` in one transaction; return the run.

    Raises ValueError when the run is not `running` (e.g. marked failed meanwhile).
    """
    now = utc_now()
    result = session.execute(
        update(PlanRun)
        .where(col(PlanRun.id) == run_id, col(PlanRun.status) == "running")
        .values(
            status="published",
            published_at=now,
            finished_at=now,
            current_step=None,
            steps=dict(steps),
            counts=dict(counts),
            warnings=list(warnings),
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ValueError(f"plan run {run_id} is not running; not published")
    session.commit()
    run = session.get(PlanRun, run_id)
    assert run is not None
    session.refresh(run)
    return run


def fail_plan_run(
    session: Session,
    *,
    run_id: int,
    error: str,
    steps: Mapping[str, Any],
    warnings: Sequence[str] = (),
) -> None:
    """Mark `run_id` failed with `error` and delete its result rows, in one transaction."""
    session.rollback()
    delete_result_rows(session, run_id=run_id)
    session.execute(
        update(PlanRun)
        .where(col(PlanRun.id) == run_id)
        .values(
            status="failed",
            finished_at=utc_now(),
            error=error,
            steps=dict(steps),
            warnings=list(warnings),
        )
    )
    session.commit()


def recover_stale_runs(session: Session) -> list[int]:
    """Mark every `running` run failed (its process is gone) and delete its rows.

    Only correct while holding the plan-run lock: then no live process owns a `running` run.
    Returns the ids of the runs recovered.
    """
    stale = list(
        session.execute(select(col(PlanRun.id)).where(col(PlanRun.status) == "running")).scalars()
    )
    for run_id in stale:
        delete_result_rows(session, run_id=run_id)
    if stale:
        session.execute(
            update(PlanRun)
            .where(col(PlanRun.id).in_(stale))
            .values(
                status="failed", finished_at=utc_now(), current_step=None, error=STALE_RUN_ERROR
            )
        )
    session.commit()
    return stale


def latest_published_run(session: Session, *, as_of: dt.date | None = None) -> PlanRun | None:
    """The published run readers should see: for `as_of` (highest version), or overall.

    Overall means the latest as-of date with a published run, highest version of that date.
    """
    query = select(PlanRun).where(col(PlanRun.status) == "published")
    if as_of is not None:
        query = query.where(col(PlanRun.as_of) == as_of)
    query = query.order_by(col(PlanRun.as_of).desc(), col(PlanRun.version).desc()).limit(1)
    return session.execute(query).scalars().first()  # type: ignore[no-any-return]


def list_plan_runs(session: Session, *, limit: int = 50, offset: int = 0) -> list[PlanRun]:
    """Plan runs, newest first (by id)."""
    query = select(PlanRun).order_by(col(PlanRun.id).desc()).offset(offset).limit(limit)
    return list(session.execute(query).scalars())


def load_result_frame(
    session: Session, *, run_id: int, table: type[SQLModel], **equals: Any
) -> pd.DataFrame:
    """Rows of `table` for `run_id` (optionally filtered by column == value) as a DataFrame.

    Columns are the table's, without `id` and `plan_run_id`.
    """
    if table not in RESULT_TABLES:
        raise ValueError(f"{table.__name__} is not a plan result table")
    query = select(table).where(table.plan_run_id == run_id)  # type: ignore[attr-defined]
    for column, value in equals.items():
        query = query.where(getattr(table, column) == value)
    query = query.order_by(table.id)  # type: ignore[attr-defined]
    columns = [
        c.name
        for c in table.__table__.columns  # type: ignore[attr-defined]
        if c.name not in ("id", "plan_run_id")
    ]
    records = [
        {name: getattr(row, name) for name in columns} for row in session.execute(query).scalars()
    ]
    return pd.DataFrame.from_records(records, columns=columns)
