"""Result tables of the daily plan: one `plan_runs` row per run, result rows per run.

Every result row carries `plan_run_id` (FK to `plan_runs.id`) and plain `sku` / `location`
strings, with no foreign key to the input tables, so a plan stays readable after the inputs
change. Rows are written while their run is `running` and become visible to readers only when
the run is flipped to `published` in one transaction (see `storage/plans.py`). Readers always
select by `plan_run_id` of a published run, so two versions are never mixed.

Timestamps are time-zone aware UTC datetimes (SQLModel's `UTCDateTime`; SQLite stores them
without offset and they come back as UTC). Quantities are in units of the
item (the same unit as `sales.units`); times of day on route legs are `HH:MM` strings.

Tables (revision `0002_plans`; the suggestions' service columns from `0004_suggestion_service`):
- `plan_runs`: id, as_of, version (1, 2, ... per as_of), status, timings, counts, warnings.
- `plan_forecasts`: sku, location, date, mean, p10/p50/p90 (+ other levels in `quantiles`), model.
- `plan_backtest_metrics`: sku, location, demand_class, model, mase, cold_start (+ `metrics`).
- `plan_suggestions`: S.csv columns + origin (who ships/supplies) + the service target the row
  was planned on (class, service group, fill rate) + the planner review fields.
- `plan_allocations`: sku, origin, destination, units, ship_date, arrival_date.
- `plan_route_legs`: depot, vehicle, sequence, stop, arrival, departure, load_after, distance_km.
- `plan_unserved`: depot, stop, reason.
API keys and the suggestion audit trail are the API's tables (`storage/api_tables.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

PLAN_RUN_STATUSES = ("running", "published", "failed")
"""`running` while the pipeline writes; `published` once complete; `failed` on error or when
a run was found still `running` after its process died (stale-run recovery)."""

REVIEW_STATUSES = ("pending", "approved", "overridden")
"""Planner review state of a suggestion."""


def utc_now() -> dt.datetime:
    """Current time as an aware UTC datetime (the form every timestamp column stores)."""
    return dt.datetime.now(dt.UTC)


class PlanRun(SQLModel, table=True):
    """One execution of the daily plan for an as-of date.

    `version` counts runs per `as_of` from 1 (a re-run of the same date is a new version).
    `steps` maps each pipeline step to `{"status": "done"|"skipped"|"failed", "seconds": float,
    "detail": str}`; `counts` maps a result kind to its number of rows; `warnings` is a list of
    human sentences. `current_step` is the step being run (None when finished).
    """

    __tablename__ = "plan_runs"
    __table_args__ = (
        UniqueConstraint("as_of", "version", name="uq_plan_runs_as_of_version"),
        Index("ix_plan_runs_status_as_of", "status", "as_of"),
    )

    id: int | None = Field(default=None, primary_key=True)
    as_of: dt.date = Field(index=True)
    version: int = 1
    status: str = Field(default="running", max_length=16)
    triggered_by: str = Field(default="cli", max_length=32)
    started_at: dt.datetime = Field(default_factory=utc_now)
    finished_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    current_step: str | None = Field(default=None, max_length=32)
    steps: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error: str | None = None
    pid: int | None = None
    hostname: str | None = Field(default=None, max_length=255)


class PlanForecast(SQLModel, table=True):
    """Forecast of one sku x location x date, in units per period (day unless stated).

    `p10`, `p50`, `p90` are the 10/50/90% quantiles; any other requested levels are kept in
    `quantiles` as `{"p05": value, ...}`.
    """

    __tablename__ = "plan_forecasts"
    __table_args__ = (
        Index("ix_plan_forecasts_run_location", "plan_run_id", "location", "sku", "date"),
        Index("ix_plan_forecasts_run_sku", "plan_run_id", "sku"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="plan_runs.id", ondelete="CASCADE")
    sku: str = Field(max_length=64)
    location: str = Field(max_length=64)
    date: dt.date
    mean: float
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None
    quantiles: dict[str, float] | None = Field(default=None, sa_column=Column(JSON))
    model: str | None = Field(default=None, max_length=64)


class PlanBacktestMetric(SQLModel, table=True):
    """Model selection record of one sku x location: chosen model and its backtest error.

    `mase` is the mean absolute scaled error of the chosen model (dimensionless; < 1 beats the
    seasonal naive in-sample); other metrics the forecaster reports go to `metrics`.
    """

    __tablename__ = "plan_backtest_metrics"
    __table_args__ = (Index("ix_plan_backtest_run_location", "plan_run_id", "location", "sku"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="plan_runs.id", ondelete="CASCADE")
    sku: str = Field(max_length=64)
    location: str = Field(max_length=64)
    demand_class: str | None = Field(default=None, max_length=32)
    model: str | None = Field(default=None, max_length=64)
    mase: float | None = None
    cold_start: bool = False
    metrics: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class PlanSuggestion(SQLModel, table=True):
    """A replenishment suggestion (S.csv row) plus its planner review.

    `origin` is who fills the order: the supplier for a regional warehouse, the regional
    parent for a front site. `order_qty` is the engine's suggestion; `final_qty` is what the
    planner approved or overrode it to (None while pending). Review fields are written by the
    API; `reason_code` is one of the API's fixed list.

    Service target of the row (revision `0004_suggestion_service`; None on runs stored before
    it): `service_class` is the ABC/XYZ class (`"BY"`) when the plan had class service targets;
    `service_group` the group whose aggregate fill rate the row shares (`"front B"`; None
    outside groups); `target_fill_rate` the fill rate (fraction 0-1) the row was solved for:
    its implied rate in a group, else its service level (None for a cycle service level).
    """

    __tablename__ = "plan_suggestions"
    __table_args__ = (
        Index("ix_plan_suggestions_run_location", "plan_run_id", "location", "sku"),
        Index("ix_plan_suggestions_run_sku", "plan_run_id", "sku"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="plan_runs.id", ondelete="CASCADE")
    sku: str = Field(max_length=64)
    location: str = Field(max_length=64)
    location_kind: str | None = Field(default=None, max_length=16)
    origin: str | None = Field(default=None, max_length=64)
    order_qty: float = 0.0
    order_up_to: float | None = None
    reorder_point: float | None = None
    safety_stock: float | None = None
    position: float | None = None
    demand_over_protection: float | None = None
    flags: str = Field(default="", max_length=512)
    explanation: str = ""
    service_class: str | None = Field(default=None, max_length=8)
    service_group: str | None = Field(default=None, max_length=64)
    target_fill_rate: float | None = None
    review_status: str = Field(default="pending", max_length=16)
    final_qty: float | None = None
    reason_code: str | None = Field(default=None, max_length=32)
    comment: str | None = None
    reviewed_by: str | None = Field(default=None, max_length=128)
    reviewed_at: dt.datetime | None = None


class PlanAllocation(SQLModel, table=True):
    """Units of a sku to ship from `origin` to `destination` (X.csv row).

    `ship_date` is the plan's as-of date; `arrival_date` = ship_date + the lane's transit_days
    (None when the lane has no transit time).
    """

    __tablename__ = "plan_allocations"
    __table_args__ = (
        Index("ix_plan_allocations_run_destination", "plan_run_id", "destination", "sku"),
        Index("ix_plan_allocations_run_origin", "plan_run_id", "origin", "sku"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="plan_runs.id", ondelete="CASCADE")
    sku: str = Field(max_length=64)
    origin: str = Field(max_length=64)
    destination: str = Field(max_length=64)
    units: float
    ship_date: dt.date
    arrival_date: dt.date | None = None


class PlanRouteLeg(SQLModel, table=True):
    """One stop of one vehicle's route from `depot` (ROUTES.csv row).

    `arrival` / `departure` are `HH:MM` on `route_date`; `load_after` is units still on the
    vehicle after the stop; `distance_km` is the length of the leg into this stop.
    """

    __tablename__ = "plan_route_legs"
    __table_args__ = (
        Index("ix_plan_route_legs_run_depot", "plan_run_id", "depot", "vehicle", "sequence"),
        Index("ix_plan_route_legs_run_stop", "plan_run_id", "stop"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="plan_runs.id", ondelete="CASCADE")
    route_date: dt.date
    depot: str = Field(max_length=64)
    vehicle: str = Field(max_length=64)
    sequence: int
    stop: str = Field(max_length=64)
    arrival: str | None = Field(default=None, max_length=8)
    departure: str | None = Field(default=None, max_length=8)
    load_after: float | None = None
    distance_km: float | None = None


class PlanUnserved(SQLModel, table=True):
    """A stop a depot's routes could not serve, with the router's reason."""

    __tablename__ = "plan_unserved"
    __table_args__ = (Index("ix_plan_unserved_run_depot", "plan_run_id", "depot"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="plan_runs.id", ondelete="CASCADE")
    depot: str = Field(max_length=64)
    stop: str = Field(max_length=64)
    reason: str = ""


RESULT_TABLES: tuple[type[SQLModel], ...] = (
    PlanForecast,
    PlanBacktestMetric,
    PlanSuggestion,
    PlanAllocation,
    PlanRouteLeg,
    PlanUnserved,
)
"""Every table whose rows belong to a plan run (for writing, counting and cleanup)."""
