"""Analysts: forecasts with quantiles, backtest metrics, plan run history, trigger a run."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, Response, status

from api.deps import Analyst, RunTrigger, SessionDep
from api.plan_launcher import PlanRunNotStarted
from api.plan_lookup import (
    PLAN_READ_ERRORS,
    PlanDate,
    PlanRunId,
    ensure_location_known,
    ensure_sku_known,
    next_page_url,
    plan_version,
    resolve_published_run,
)
from api.schemas import (
    CODE_PATTERN,
    BacktestMetricOut,
    BacktestPage,
    ForecastPointOut,
    ForecastSeries,
    PlanRunAccepted,
    PlanRunIn,
    PlanRunOut,
    PlanRunPage,
)
from storage.api_queries import (
    backtest_metrics_page,
    get_plan_run,
    list_forecasts,
    list_plan_runs,
)

router = APIRouter(prefix="/v1", tags=["analysts"])

Code = Annotated[str, Query(min_length=1, max_length=100, pattern=CODE_PATTERN)]
OptionalCode = Annotated[str | None, Query(min_length=1, max_length=100, pattern=CODE_PATTERN)]

ERRORS: dict[int | str, dict[str, Any]] = {
    **PLAN_READ_ERRORS,
    404: {"description": "Unknown sku, location or plan run, or no published plan."},
}


@router.get("/forecasts", response_model=ForecastSeries, responses=ERRORS)
def get_forecasts(
    session: SessionDep,
    _: Analyst,
    sku: Code,
    location: Code,
    plan_date: PlanDate = None,
    plan_run_id: PlanRunId = None,
) -> ForecastSeries:
    """Daily forecast of one sku x location with its p10/p50/p90 (units per day)."""
    ensure_sku_known(session, sku)
    ensure_location_known(session, location)
    run = resolve_published_run(session, plan_date=plan_date, plan_run_id=plan_run_id)
    rows = list_forecasts(session, plan_run_id=run.id, sku=sku, location=location)
    return ForecastSeries(
        plan=plan_version(run),
        sku=sku,
        location=location,
        points=[ForecastPointOut.model_validate(row) for row in rows],
    )


@router.get("/backtest-metrics", response_model=BacktestPage, responses=ERRORS)
def get_backtest_metrics(
    request: Request,
    session: SessionDep,
    _: Analyst,
    sku: OptionalCode = None,
    location: OptionalCode = None,
    plan_date: PlanDate = None,
    plan_run_id: PlanRunId = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> BacktestPage:
    """Chosen model, demand class and backtest MASE per sku x location."""
    if sku is not None:
        ensure_sku_known(session, sku)
    if location is not None:
        ensure_location_known(session, location)
    run = resolve_published_run(session, plan_date=plan_date, plan_run_id=plan_run_id)
    rows, total = backtest_metrics_page(
        session, plan_run_id=run.id, sku=sku, location=location, limit=limit, offset=offset
    )
    return BacktestPage(
        plan=plan_version(run),
        items=[BacktestMetricOut.model_validate(row) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
        next=next_page_url(request, run=run, offset=offset, limit=limit, total=total),
    )


@router.get("/plan-runs", response_model=PlanRunPage, responses=ERRORS)
def get_plan_runs(
    session: SessionDep,
    _: Analyst,
    run_status: Annotated[
        Literal["running", "published", "failed"] | None, Query(alias="status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> PlanRunPage:
    """Plan runs, newest first, with status, step timings and the current step."""
    rows, total = list_plan_runs(session, status=run_status, limit=limit, offset=offset)
    return PlanRunPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[PlanRunOut.model_validate(row) for row in rows],
    )


@router.get("/plan-runs/{plan_run_id}", response_model=PlanRunOut, responses=ERRORS)
def get_plan_run_detail(
    session: SessionDep,
    _: Analyst,
    plan_run_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> PlanRunOut:
    """One plan run: status, current step, step timings, counts, warnings, error."""
    run = get_plan_run(session, run_id=plan_run_id)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no plan run with id {plan_run_id}")
    return PlanRunOut.model_validate(run)


@router.post(
    "/plan-runs",
    response_model=PlanRunAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        401: ERRORS[401],
        403: ERRORS[403],
        409: {"description": "Another plan run is in progress."},
    },
)
def trigger_plan_run(
    request: Request,
    response: Response,
    _: RunTrigger,
    body: Annotated[PlanRunIn | None, Body()] = None,
) -> PlanRunAccepted:
    """Start a plan run in the background; poll the returned location for its progress."""
    as_of = body.as_of if body is not None else None
    try:
        started = request.app.state.plan_launcher.start(as_of)
    except PlanRunNotStarted as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    location = f"/v1/plan-runs/{started.plan_run_id}"
    response.headers["Location"] = location
    return PlanRunAccepted(
        plan_run_id=started.plan_run_id, status=started.status, location=location
    )
