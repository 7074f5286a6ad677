"""Planners: list suggestions, approve or override them (audited), export a day as CSV/Excel,
and the small planner web page."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import FileResponse

from api.deps import Reviewer, SessionDep, SuggestionReader
from api.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, frame_to_csv_bytes, frame_to_xlsx_bytes
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
    ApproveIn,
    OverrideIn,
    ReviewOut,
    ReviewResult,
    SuggestionOut,
    SuggestionPage,
)
from storage.api_queries import (
    find_published_run,
    get_plan_run,
    get_suggestion,
    list_reviews,
    review_suggestion,
    suggestions_frame,
    suggestions_page,
)
from storage.plan_tables import PlanSuggestion

router = APIRouter(prefix="/v1", tags=["planners"])
page_router = APIRouter(include_in_schema=False)

SuggestionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Code = Annotated[str | None, Query(min_length=1, max_length=100, pattern=CODE_PATTERN)]

ERRORS: dict[int | str, dict[str, Any]] = {
    **PLAN_READ_ERRORS,
    404: {"description": "Unknown suggestion, location or sku, or no published plan."},
}


@router.get("/suggestions", response_model=SuggestionPage, responses=ERRORS)
def list_suggestions(
    request: Request,
    session: SessionDep,
    _: SuggestionReader,
    plan_date: PlanDate = None,
    plan_run_id: PlanRunId = None,
    location: Code = None,
    sku: Code = None,
    flag: Annotated[
        str | None,
        Query(min_length=1, max_length=64, pattern=CODE_PATTERN, description="A flag token."),
    ] = None,
    review_status: Literal["pending", "approved", "overridden"] | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> SuggestionPage:
    """Suggestions of the published plan for `date`, filtered by location, sku, flag, status."""
    if location is not None:
        ensure_location_known(session, location)
    if sku is not None:
        ensure_sku_known(session, sku)
    run = resolve_published_run(session, plan_date=plan_date, plan_run_id=plan_run_id)
    rows, total = suggestions_page(
        session,
        plan_run_id=run.id,
        location=location,
        sku=sku,
        flag=flag,
        review_status=review_status,
        limit=limit,
        offset=offset,
    )
    return SuggestionPage(
        plan=plan_version(run),
        items=[SuggestionOut.model_validate(row) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
        next=next_page_url(request, run=run, offset=offset, limit=limit, total=total),
    )


def _reviewable(session: SessionDep, suggestion_id: int) -> PlanSuggestion:
    """The suggestion, locked, when it belongs to the current published version of its date."""
    suggestion = get_suggestion(session, suggestion_id=suggestion_id, for_update=True)
    if suggestion is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no suggestion with id {suggestion_id}")
    run = get_plan_run(session, run_id=suggestion.plan_run_id)
    if run is None or run.status != "published":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"suggestion {suggestion_id} belongs to plan run {suggestion.plan_run_id}, "
            "which is not published",
        )
    current = find_published_run(session, as_of=run.as_of)
    if current is not None and current.id != run.id:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"suggestion {suggestion_id} is from version {run.version} of the "
            f"{run.as_of.isoformat()} plan; version {current.version} (plan run {current.id}) "
            "replaced it, review that one",
        )
    return suggestion


@router.post(
    "/suggestions/{suggestion_id}/approve",
    response_model=ReviewResult,
    responses={**ERRORS, 409: {"description": "The suggestion's plan was replaced."}},
)
def approve_suggestion(
    session: SessionDep,
    principal: Reviewer,
    suggestion_id: SuggestionId,
    body: Annotated[ApproveIn | None, Body()] = None,
) -> ReviewResult:
    """Approve the suggestion at its current quantity (the override, if any, else the
    suggested one); recorded in the audit trail."""
    suggestion = _reviewable(session, suggestion_id)
    review = review_suggestion(
        session,
        suggestion=suggestion,
        action="approve",
        new_qty=None,
        reason_code=None,
        comment=body.comment if body is not None else None,
        reviewer=principal.name,
        api_key_id=principal.key_id,
    )
    session.commit()
    return ReviewResult(
        suggestion=SuggestionOut.model_validate(suggestion), review=ReviewOut.model_validate(review)
    )


@router.post(
    "/suggestions/{suggestion_id}/override",
    response_model=ReviewResult,
    responses={**ERRORS, 409: {"description": "The suggestion's plan was replaced."}},
)
def override_suggestion(
    session: SessionDep,
    principal: Reviewer,
    suggestion_id: SuggestionId,
    body: OverrideIn,
) -> ReviewResult:
    """Set the order quantity (units) with a reason code; `other` needs a comment."""
    suggestion = _reviewable(session, suggestion_id)
    review = review_suggestion(
        session,
        suggestion=suggestion,
        action="override",
        new_qty=body.quantity,
        reason_code=body.reason_code,
        comment=body.comment,
        reviewer=principal.name,
        api_key_id=principal.key_id,
    )
    session.commit()
    return ReviewResult(
        suggestion=SuggestionOut.model_validate(suggestion), review=ReviewOut.model_validate(review)
    )


@router.get(
    "/suggestions/{suggestion_id}/reviews", response_model=list[ReviewOut], responses=ERRORS
)
def suggestion_reviews(
    session: SessionDep, _: SuggestionReader, suggestion_id: SuggestionId
) -> list[ReviewOut]:
    """The audit trail of one suggestion, oldest change first."""
    if get_suggestion(session, suggestion_id=suggestion_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no suggestion with id {suggestion_id}")
    return [
        ReviewOut.model_validate(row) for row in list_reviews(session, suggestion_id=suggestion_id)
    ]


@router.get("/suggestion-reviews", response_model=list[ReviewOut], responses=ERRORS)
def plan_reviews(
    session: SessionDep,
    _: SuggestionReader,
    plan_date: PlanDate = None,
    plan_run_id: PlanRunId = None,
) -> list[ReviewOut]:
    """The audit trail of every suggestion of one published plan, oldest change first."""
    run = resolve_published_run(session, plan_date=plan_date, plan_run_id=plan_run_id)
    return [ReviewOut.model_validate(row) for row in list_reviews(session, plan_run_id=run.id)]


@router.get(
    "/suggestions/export",
    response_class=Response,
    responses={
        **ERRORS,
        200: {
            "description": "The suggestions as a file.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
)
def export_suggestions(
    session: SessionDep,
    _: SuggestionReader,
    plan_date: PlanDate = None,
    plan_run_id: PlanRunId = None,
    location: Code = None,
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """A day's suggestions with their review state as CSV or Excel (.xlsx)."""
    if location is not None:
        ensure_location_known(session, location)
    run = resolve_published_run(session, plan_date=plan_date, plan_run_id=plan_run_id)
    frame = suggestions_frame(session, plan_run_id=run.id, location=location)
    stem = f"suggestions_{run.as_of.isoformat()}_v{run.version}"
    if file_format == "csv":
        content, media_type = frame_to_csv_bytes(frame), CSV_MEDIA_TYPE
    else:
        content, media_type = frame_to_xlsx_bytes(frame), XLSX_MEDIA_TYPE
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{file_format}"'},
    )


@page_router.get("/planner")
def planner_page(request: Request) -> FileResponse:
    """The planner web page (plain HTML + JS; the key is typed in and kept in the tab only)."""
    return FileResponse(request.app.state.static_dir / "planner.html", media_type="text/html")
