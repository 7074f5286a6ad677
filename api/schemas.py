"""Response and request bodies of the HTTP API (pydantic models, documented in OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from storage.api_tables import REASON_CODES

ReasonCode = Literal["promo_not_in_data", "supplier_issue", "local_event", "other"]
assert tuple(ReasonCode.__args__) == REASON_CODES  # type: ignore[attr-defined]


def _as_utc(value: dt.datetime) -> dt.datetime:
    """Attach UTC to a naive timestamp (SQLite returns stored UTC values without offset)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


UtcDateTime = Annotated[dt.datetime, AfterValidator(_as_utc)]

CODE_PATTERN = r"^[^\x00-\x1f\x7f]+$"
"""Codes (sku, location, flag): no control characters (PostgreSQL refuses NUL in text)."""
TEXT_PATTERN = r"^[^\x00]*$"
"""Free text: anything but NUL."""


class PlanVersion(BaseModel):
    """Which published plan a response comes from."""

    plan_run_id: int
    as_of: dt.date
    version: int = Field(description="1, 2, ... per as-of date; a re-run makes a new version.")
    published_at: UtcDateTime | None


class Page(BaseModel):
    """Paging fields shared by list responses; `next` repeats `plan_run_id` so pages of one
    listing never come from two plan versions."""

    total: int
    limit: int
    offset: int
    next: str | None = Field(description="URL of the next page, or null on the last page.")


class AllocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    origin: str
    destination: str
    units: float = Field(description="Units to ship.")
    ship_date: dt.date
    arrival_date: dt.date | None


class AllocationPage(Page):
    plan: PlanVersion
    location: str
    items: list[AllocationOut]


class RouteLegOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    route_date: dt.date
    depot: str
    vehicle: str
    sequence: int
    stop: str
    arrival: str | None = Field(description="HH:MM")
    departure: str | None = Field(description="HH:MM")
    load_after: float | None = Field(description="Units on the vehicle after the stop.")
    distance_km: float | None = Field(description="Length of the leg into this stop, km.")


class UnservedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    depot: str
    stop: str
    reason: str


class RoutePage(Page):
    plan: PlanVersion
    location: str
    items: list[RouteLegOut]
    unserved: list[UnservedOut]


class SuggestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    location: str
    origin: str | None
    order_qty: float = Field(description="Suggested order quantity, units.")
    order_up_to: float | None
    reorder_point: float | None
    safety_stock: float | None
    position: float | None
    demand_over_protection: float | None
    flags: str = Field(description="`;`-separated flag tokens.")
    explanation: str
    service_class: str | None = Field(
        default=None,
        description="ABC/XYZ class (e.g. BY) when the plan had class service targets, else null.",
    )
    service_group: str | None = Field(
        default=None,
        description="Service group whose aggregate fill rate the row shares (e.g. 'front B'), "
        "null outside a group.",
    )
    target_fill_rate: float | None = Field(
        default=None,
        description="Fill rate (fraction 0-1) the row was planned for: its implied rate in a "
        "service group, else its service level; null on plans stored before it was recorded.",
    )
    review_status: str = Field(description="pending, approved or overridden.")
    final_qty: float | None = Field(description="Quantity approved or overridden to, units.")
    reason_code: str | None
    comment: str | None
    reviewed_by: str | None
    reviewed_at: UtcDateTime | None


class SuggestionPage(Page):
    plan: PlanVersion
    items: list[SuggestionOut]


class ApproveIn(BaseModel):
    """Approve the suggestion as it stands (its final quantity, or the suggested one)."""

    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=2000, pattern=TEXT_PATTERN)


class OverrideIn(BaseModel):
    """Set the order quantity to `quantity` units for a reason; `other` needs a comment."""

    model_config = ConfigDict(extra="forbid")

    quantity: float = Field(ge=0, le=1e12, description="New order quantity, units (>= 0).")
    reason_code: ReasonCode
    comment: str | None = Field(default=None, max_length=2000, pattern=TEXT_PATTERN)

    @model_validator(mode="after")
    def _other_needs_comment(self) -> OverrideIn:
        if self.reason_code == "other" and not (self.comment and self.comment.strip()):
            raise ValueError("reason_code 'other' requires a non-empty comment")
        return self


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    suggestion_id: int
    plan_run_id: int
    sku: str
    location: str
    action: str
    old_qty: float | None
    new_qty: float | None
    reason_code: str | None
    comment: str | None
    reviewed_by: str
    reviewed_at: UtcDateTime


class ReviewResult(BaseModel):
    suggestion: SuggestionOut
    review: ReviewOut


class ForecastPointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    date: dt.date
    mean: float = Field(description="Units per day.")
    p10: float | None
    p50: float | None
    p90: float | None
    quantiles: dict[str, float] | None = Field(description="Other quantile levels, e.g. p05.")
    model: str | None


class ForecastSeries(BaseModel):
    plan: PlanVersion
    sku: str
    location: str
    points: list[ForecastPointOut]


class BacktestMetricOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    location: str
    demand_class: str | None
    model: str | None
    mase: float | None = Field(description="Mean absolute scaled error (dimensionless).")
    cold_start: bool


class BacktestPage(Page):
    plan: PlanVersion
    items: list[BacktestMetricOut]


class PlanRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    as_of: dt.date
    version: int
    status: str
    triggered_by: str
    started_at: UtcDateTime
    finished_at: UtcDateTime | None
    published_at: UtcDateTime | None
    current_step: str | None = Field(description="Step being run now (null when finished).")
    steps: dict[str, object]
    counts: dict[str, object]
    warnings: list[str]
    error: str | None


class PlanRunPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[PlanRunOut]


class PlanRunAccepted(BaseModel):
    plan_run_id: int
    status: str
    location: str = Field(description="URL to poll for the run's state.")


class PlanRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: dt.date | None = Field(default=None, description="Plan date; default today.")


class UploadProblem(BaseModel):
    file: str
    line: int | None
    column: str | None
    message: str


class UploadRejected(BaseModel):
    detail: str
    problems: list[UploadProblem]


class UploadReportOut(BaseModel):
    kind: str
    file: str
    rows: dict[str, int] = Field(description="Rows written per kind.")


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    role: Literal["admin", "planner", "analyst", "warehouse"]
    location: str | None = Field(default=None, min_length=1, max_length=100, pattern=CODE_PATTERN)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    key_prefix: str
    role: str
    location: str | None
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself, shown only now.")


class Health(BaseModel):
    status: str
    database: str
