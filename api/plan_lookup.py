"""Finding the published plan a request reads, paging links and ETags (shared by routes)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request, status
from sqlmodel import Session

from api.schemas import PlanVersion
from storage.api_queries import PublishedRun, find_published_run, location_exists, sku_exists

# Error responses every plan-reading route documents; routes add their own 404 wording.
PLAN_READ_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "plan_run_id is for another date than `date`."},
    401: {"description": "Missing, unknown or revoked API key."},
    403: {"description": "This key's role may not do this."},
}

# Query parameters every plan-reading route takes: which plan (by as-of date) and, to page
# through one version while newer ones publish, which plan run.
PlanDate = Annotated[
    dt.date | None,
    Query(alias="date", description="As-of date of the plan (YYYY-MM-DD); default: newest."),
]
PlanRunId = Annotated[
    int | None,
    Query(ge=1, le=2**31 - 1, description="Pin a plan run (as given in `next` links)."),
]


def resolve_published_run(
    session: Session, *, plan_date: dt.date | None, plan_run_id: int | None
) -> PublishedRun:
    """The run a read uses: `plan_run_id` when given (must be published and, with `plan_date`,
    of that date), else the newest published version for `plan_date` (or the newest overall).

    Raises:
        HTTPException: 404 when there is no such published plan, 400 when the two disagree.
    """
    if plan_run_id is not None:
        run = find_published_run(session, run_id=plan_run_id)
        if run is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"no published plan run with id {plan_run_id}"
            )
        if plan_date is not None and run.as_of != plan_date:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST,
                f"plan run {plan_run_id} is for {run.as_of.isoformat()}, "
                f"not {plan_date.isoformat()}",
            )
        return run
    run = find_published_run(session, as_of=plan_date)
    if run is None:
        when = f" for {plan_date.isoformat()}" if plan_date is not None else ""
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no published plan{when}")
    return run


def plan_version(run: PublishedRun) -> PlanVersion:
    """The plan identification put in every plan-derived response body."""
    return PlanVersion(
        plan_run_id=run.id,
        as_of=run.as_of,
        version=run.version,
        published_at=run.published_at,
    )


def ensure_location_known(session: Session, location: str) -> None:
    """404 for a location missing from the `locations` table."""
    if not location_exists(session, location=location):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown location {location!r}")


def ensure_sku_known(session: Session, sku: str) -> None:
    """404 for a sku missing from the `items` table."""
    if not sku_exists(session, sku=sku):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown sku {sku!r}")


def next_page_url(
    request: Request, *, run: PublishedRun, offset: int, limit: int, total: int
) -> str | None:
    """URL of the following page pinned to `run`, or None when this page is the last."""
    if offset + limit >= total:
        return None
    url = request.url.include_query_params(plan_run_id=run.id, offset=offset + limit, limit=limit)
    return str(url)


def page_etag(request: Request, *, run: PublishedRun) -> str:
    """Strong ETag of a page read from an immutable published run: a hash of the run id, the
    path and the query (published rows never change, so this identifies the content)."""
    query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    material = f"{run.id}|{request.url.path}|{query}"
    return '"' + hashlib.sha256(material.encode()).hexdigest()[:32] + '"'


def etag_matches(request: Request, etag: str) -> bool:
    """True when the request's If-None-Match lists `etag` (or `*`); weak prefixes ignored."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag in candidates
