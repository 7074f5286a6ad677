"""Warehouse systems: a location's allocations and routes from the latest published plan.

Pages are pinned to one plan run (`plan_run_id`, repeated in the `next` link), carry the plan
version in the body and an `ETag`; `If-None-Match` with that ETag answers 304.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import LocationReader, SessionDep, ensure_location_access
from api.page_cache import PageCache
from api.plan_lookup import (
    PLAN_READ_ERRORS,
    PlanDate,
    PlanRunId,
    ensure_location_known,
    etag_matches,
    next_page_url,
    page_etag,
    plan_version,
    resolve_published_run,
)
from api.schemas import (
    CODE_PATTERN,
    AllocationOut,
    AllocationPage,
    RouteLegOut,
    RoutePage,
    UnservedOut,
)
from storage.api_queries import PublishedRun, allocations_page, route_legs_page, unserved_stops

router = APIRouter(prefix="/v1", tags=["warehouse systems"])

LocationPath = Annotated[
    str, Path(min_length=1, max_length=100, pattern=CODE_PATTERN, description="Location code.")
]
Limit = Annotated[int, Query(ge=1, le=5000, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Rows to skip.")]

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Unchanged since the ETag given in If-None-Match."}
}
ERRORS: dict[int | str, dict[str, Any]] = {
    **PLAN_READ_ERRORS,
    403: {"description": "This key may not read that location."},
    404: {"description": "Unknown location or no published plan."},
}


@router.get(
    "/locations/{location}/allocations",
    response_model=AllocationPage,
    responses={**NOT_MODIFIED, **ERRORS},
)
async def get_allocations(
    request: Request,
    session: SessionDep,
    principal: LocationReader,
    location: LocationPath,
    plan_date: PlanDate = None,
    plan_run_id: PlanRunId = None,
    direction: Annotated[
        Literal["both", "outbound", "inbound"],
        Query(description="outbound: shipped from here; inbound: to here."),
    ] = "both",
    limit: Limit = 500,
    offset: Offset = 0,
) -> Response:
    """Shipments from or to `location` in the published plan, in units.

    The page's JSON is cached per plan run and query (published rows never change). Database
    work (resolving the plan run, building a page) runs in the thread pool, so a round trip
    never blocks the event loop; the cached page is sent from the event loop.
    """
    ensure_location_access(principal, location)
    run = await run_in_threadpool(_resolve_and_release, session, plan_date, plan_run_id)
    etag = page_etag(request, run=run)
    if etag_matches(request, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    cache: PageCache = request.app.state.page_cache
    body = await cache.get_or_build(
        etag,
        lambda: run_in_threadpool(
            _allocation_page_json, request, session, run, location, direction, limit, offset
        ),
    )
    return Response(body, media_type="application/json", headers={"ETag": etag})


def _resolve_and_release(
    session: Session, plan_date: PlanDate, plan_run_id: PlanRunId
) -> PublishedRun:
    """The published run a read uses; then end the read transaction, so that no pooled
    connection is held while the response is built or waits for the page cache."""
    try:
        return resolve_published_run(session, plan_date=plan_date, plan_run_id=plan_run_id)
    finally:
        session.rollback()


def _allocation_page_json(
    request: Request,
    session: Session,
    run: PublishedRun,
    location: str,
    direction: str,
    limit: int,
    offset: int,
) -> bytes:
    ensure_location_known(session, location)
    rows, total = allocations_page(
        session,
        plan_run_id=run.id,
        location=location,
        direction=direction,
        limit=limit,
        offset=offset,
    )
    page = AllocationPage(
        plan=plan_version(run),
        location=location,
        items=[AllocationOut.model_construct(**row) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
        next=next_page_url(request, run=run, offset=offset, limit=limit, total=total),
    )
    return page.model_dump_json().encode()


@router.get(
    "/locations/{location}/routes",
    response_model=RoutePage,
    responses={**NOT_MODIFIED, **ERRORS},
)
def get_routes(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: LocationReader,
    location: LocationPath,
    plan_date: PlanDate = None,
    plan_run_id: PlanRunId = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> RoutePage | Response:
    """Route legs of the trucks leaving depot `location` (or stopping at it) and the stops
    they could not serve."""
    ensure_location_access(principal, location)
    ensure_location_known(session, location)
    run = resolve_published_run(session, plan_date=plan_date, plan_run_id=plan_run_id)
    etag = page_etag(request, run=run)
    if etag_matches(request, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    rows, total = route_legs_page(
        session, plan_run_id=run.id, location=location, limit=limit, offset=offset
    )
    unserved = unserved_stops(session, plan_run_id=run.id, location=location)
    response.headers["ETag"] = etag
    return RoutePage(
        plan=plan_version(run),
        location=location,
        items=[RouteLegOut.model_validate(row) for row in rows],
        unserved=[UnservedOut.model_validate(row) for row in unserved],
        total=total,
        limit=limit,
        offset=offset,
        next=next_page_url(request, run=run, offset=offset, limit=limit, total=total),
    )
