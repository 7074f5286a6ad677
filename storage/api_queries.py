"""Keyword-only read/write functions the HTTP API and the `keys` commands use.

Every function takes an open `Session` and leaves committing to the caller, except where the
docstring says otherwise. SQL goes through the ORM / bound parameters only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.api_tables import REVIEW_ACTIONS, ROLES, ApiKey, SuggestionReview
from storage.plan_tables import (
    PlanAllocation,
    PlanBacktestMetric,
    PlanForecast,
    PlanRouteLeg,
    PlanRun,
    PlanSuggestion,
    PlanUnserved,
)
from storage.tables import Item, Location


def utc_now() -> datetime:
    """Current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """`value` with UTC tzinfo attached when it came back naive (SQLite)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def add_api_key(
    session: Session, *, name: str, key_hash: str, key_prefix: str, role: str, location: str | None
) -> ApiKey:
    """Insert a key row (the caller generated and hashed the key) and return it with its id.

    Raises:
        ValueError: unknown role, a warehouse key without location, or a location on another role.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "warehouse" and not location:
        raise ValueError("a warehouse key needs a location (--location LOC)")
    if role != "warehouse" and location:
        raise ValueError(f"only warehouse keys are bound to a location, not {role!r} keys")
    row = ApiKey(
        name=name,
        key_hash=key_hash,
        key_prefix=key_prefix,
        role=role,
        location=location or None,
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    return row


def find_active_key_identity(
    session: Session, *, key_hash: str
) -> tuple[int, str, str, str | None] | None:
    """(id, name, role, location) of the non-revoked key with this hash, or None.

    Plain columns, not an ORM object: this runs on every request."""
    table = ApiKey.__table__  # type: ignore[attr-defined]
    statement = sa_select(table.c.id, table.c.name, table.c.role, table.c.location).where(
        table.c.key_hash == key_hash, table.c.revoked_at.is_(None)
    )
    row = session.execute(statement).first()
    return None if row is None else (row.id, row.name, row.role, row.location)


def list_api_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKey]:
    """All keys (hash included; callers must not print it), oldest first."""
    statement = select(ApiKey).order_by(ApiKey.id)  # type: ignore[arg-type]
    if not include_revoked:
        statement = statement.where(ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    return list(session.exec(statement).all())


def revoke_api_key(session: Session, *, key_id: int) -> ApiKey | None:
    """Mark key `key_id` revoked (idempotent); None when there is no such key."""
    row = session.get(ApiKey, key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utc_now()
        session.add(row)
        session.flush()
    return row


# --- plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedRun:
    """The identity of a published plan run, all a read needs: id, as-of date, version."""

    id: int
    as_of: date
    version: int
    published_at: datetime | None


def find_published_run(
    session: Session, *, as_of: date | None = None, run_id: int | None = None
) -> PublishedRun | None:
    """Run `run_id` if it is published, else the newest published version for `as_of` (or the
    newest overall); None when there is none. Plain columns: this runs on every read."""
    table = PlanRun.__table__  # type: ignore[attr-defined]
    statement = sa_select(table.c.id, table.c.as_of, table.c.version, table.c.published_at).where(
        table.c.status == "published"
    )
    if run_id is not None:
        statement = statement.where(table.c.id == run_id)
    if as_of is not None:
        statement = statement.where(table.c.as_of == as_of)
    statement = statement.order_by(table.c.as_of.desc(), table.c.version.desc()).limit(1)
    row = session.execute(statement).first()
    if row is None:
        return None
    return PublishedRun(
        id=row.id, as_of=row.as_of, version=row.version, published_at=row.published_at
    )


def get_plan_run(session: Session, *, run_id: int) -> PlanRun | None:
    """Plan run `run_id`, any status, or None."""
    return session.get(PlanRun, run_id)


def list_plan_runs(
    session: Session, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[PlanRun], int]:
    """Plan runs newest first (by id), optionally of one status, and their total count."""
    statement = select(PlanRun)
    count = select(func.count()).select_from(PlanRun)
    if status is not None:
        statement = statement.where(PlanRun.status == status)
        count = count.where(PlanRun.status == status)
    rows = session.exec(
        statement.order_by(PlanRun.id.desc()).limit(limit).offset(offset)  # type: ignore[union-attr]
    ).all()
    return list(rows), int(session.exec(count).one())


def newest_plan_run_id(session: Session) -> int:
    """The highest plan run id so far (0 when there is none)."""
    value = session.exec(select(func.max(PlanRun.id))).one()
    return int(value or 0)


def location_exists(session: Session, *, location: str) -> bool:
    """True when `location` is in the `locations` input table."""
    return session.get(Location, location) is not None


def sku_exists(session: Session, *, sku: str) -> bool:
    """True when `sku` is in the `items` input table."""
    return session.get(Item, sku) is not None


def _page(
    session: Session, statement: Any, *, limit: int, offset: int, order_by: Sequence[Any]
) -> tuple[list[Any], int]:
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(statement.order_by(*order_by).limit(limit).offset(offset)).all()
    return list(rows), int(total)


ALLOCATION_COLUMNS: tuple[str, ...] = (
    "sku",
    "origin",
    "destination",
    "units",
    "ship_date",
    "arrival_date",
)


def allocations_page(
    session: Session,
    *,
    plan_run_id: int,
    location: str,
    direction: str = "both",
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Allocation rows (as dicts of `ALLOCATION_COLUMNS`) of run `plan_run_id` shipping from
    (`outbound`), to (`inbound`) or either way (`both`) at `location`, ordered by (origin,
    destination, sku, id), and the total number of matching rows.

    Plain column tuples, not ORM objects: a 2,000-row page is read many times per second.
    """
    table = PlanAllocation.__table__  # type: ignore[attr-defined]
    condition = table.c.plan_run_id == plan_run_id
    if direction == "outbound":
        where = table.c.origin == location
    elif direction == "inbound":
        where = table.c.destination == location
    elif direction == "both":
        where = or_(table.c.origin == location, table.c.destination == location)
    else:
        raise ValueError(f"direction must be outbound, inbound or both, not {direction!r}")
    statement = (
        sa_select(*(table.c[name] for name in ALLOCATION_COLUMNS))
        .where(condition, where)
        .order_by(table.c.origin, table.c.destination, table.c.sku, table.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(row) for row in session.execute(statement).mappings()]
    if rows and len(rows) < limit or (not rows and offset == 0):
        return rows, offset + len(rows)
    count = sa_select(func.count()).select_from(table).where(condition, where)
    return rows, int(session.execute(count).scalar_one())


def route_legs_page(
    session: Session, *, plan_run_id: int, location: str, limit: int, offset: int
) -> tuple[list[PlanRouteLeg], int]:
    """Route legs of run `plan_run_id` from depot `location` or stopping at it, ordered by
    (depot, vehicle, sequence), and the total."""
    statement = select(PlanRouteLeg).where(
        PlanRouteLeg.plan_run_id == plan_run_id,
        or_(col(PlanRouteLeg.depot) == location, col(PlanRouteLeg.stop) == location),
    )
    order = (PlanRouteLeg.depot, PlanRouteLeg.vehicle, PlanRouteLeg.sequence, PlanRouteLeg.id)
    return _page(session, statement, limit=limit, offset=offset, order_by=order)


def unserved_stops(session: Session, *, plan_run_id: int, location: str) -> list[PlanUnserved]:
    """Stops depot `location` could not serve in run `plan_run_id` (or `location` as a stop)."""
    statement = (
        select(PlanUnserved)
        .where(
            PlanUnserved.plan_run_id == plan_run_id,
            or_(col(PlanUnserved.depot) == location, col(PlanUnserved.stop) == location),
        )
        .order_by(PlanUnserved.depot, PlanUnserved.stop)  # type: ignore[arg-type]
    )
    return list(session.exec(statement).all())


# --- suggestions and their review -------------------------------------------------------------


def _flag_condition(flag: str) -> Any:
    """Rows whose `;`-separated `flags` contain the token `flag` exactly."""
    column = col(PlanSuggestion.flags)
    token = _escape_like(flag)
    return or_(
        column == flag,
        column.like(f"{token};%", escape="\\"),
        column.like(f"%;{token}", escape="\\"),
        column.like(f"%;{token};%", escape="\\"),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def suggestions_page(
    session: Session,
    *,
    plan_run_id: int,
    location: str | None = None,
    sku: str | None = None,
    flag: str | None = None,
    review_status: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[PlanSuggestion], int]:
    """Suggestions of run `plan_run_id` matching every given filter, ordered by (location, sku)."""
    statement = select(PlanSuggestion).where(PlanSuggestion.plan_run_id == plan_run_id)
    if location is not None:
        statement = statement.where(PlanSuggestion.location == location)
    if sku is not None:
        statement = statement.where(PlanSuggestion.sku == sku)
    if flag is not None:
        statement = statement.where(_flag_condition(flag))
    if review_status is not None:
        statement = statement.where(PlanSuggestion.review_status == review_status)
    order = (PlanSuggestion.location, PlanSuggestion.sku, PlanSuggestion.id)
    return _page(session, statement, limit=limit, offset=offset, order_by=order)


def get_suggestion(
    session: Session, *, suggestion_id: int, for_update: bool = False
) -> PlanSuggestion | None:
    """Suggestion `suggestion_id` or None; `for_update` locks the row (PostgreSQL)."""
    statement = select(PlanSuggestion).where(PlanSuggestion.id == suggestion_id)
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def review_suggestion(
    session: Session,
    *,
    suggestion: PlanSuggestion,
    action: str,
    new_qty: float | None,
    reason_code: str | None,
    comment: str | None,
    reviewer: str,
    api_key_id: int | None,
) -> SuggestionReview:
    """Approve (`new_qty` None: keep the current final quantity, else the suggested one) or
    override (`new_qty` required, with `reason_code`) a suggestion and append the audit row.

    The caller validated the inputs and commits. Quantities in units.
    """
    if action not in REVIEW_ACTIONS:
        raise ValueError(f"unknown review action {action!r}")
    old_qty = suggestion.final_qty if suggestion.final_qty is not None else suggestion.order_qty
    now = utc_now()
    if action == "approve":
        final_qty = old_qty
        suggestion.review_status = "approved"
        suggestion.reason_code = None if suggestion.final_qty is None else suggestion.reason_code
    else:
        if new_qty is None or reason_code is None:
            raise ValueError("an override needs new_qty and reason_code")
        final_qty = new_qty
        suggestion.review_status = "overridden"
        suggestion.reason_code = reason_code
        suggestion.comment = comment
    suggestion.final_qty = final_qty
    suggestion.reviewed_by = reviewer
    suggestion.reviewed_at = now
    session.add(suggestion)
    review = SuggestionReview(
        suggestion_id=suggestion.id or 0,
        plan_run_id=suggestion.plan_run_id,
        sku=suggestion.sku,
        location=suggestion.location,
        action=action,
        old_qty=old_qty,
        new_qty=final_qty,
        reason_code=reason_code if action == "override" else None,
        comment=comment,
        reviewed_by=reviewer,
        api_key_id=api_key_id,
        reviewed_at=now,
    )
    session.add(review)
    session.flush()
    return review


def list_reviews(
    session: Session, *, suggestion_id: int | None = None, plan_run_id: int | None = None
) -> list[SuggestionReview]:
    """Audit rows, oldest first, of one suggestion and/or one plan run."""
    statement = select(SuggestionReview)
    if suggestion_id is not None:
        statement = statement.where(SuggestionReview.suggestion_id == suggestion_id)
    if plan_run_id is not None:
        statement = statement.where(SuggestionReview.plan_run_id == plan_run_id)
    return list(session.exec(statement.order_by(SuggestionReview.id)).all())  # type: ignore[arg-type]


def all_suggestions(
    session: Session, *, plan_run_id: int, location: str | None = None
) -> list[PlanSuggestion]:
    """Every suggestion of a run (for exports), ordered by (location, sku)."""
    statement = select(PlanSuggestion).where(PlanSuggestion.plan_run_id == plan_run_id)
    if location is not None:
        statement = statement.where(PlanSuggestion.location == location)
    statement = statement.order_by(PlanSuggestion.location, PlanSuggestion.sku, PlanSuggestion.id)  # type: ignore[arg-type]
    return list(session.exec(statement).all())


# --- analysts -------------------------------------------------------------------------------


def list_forecasts(
    session: Session, *, plan_run_id: int, sku: str, location: str
) -> list[PlanForecast]:
    """Forecast rows of one sku x location in run `plan_run_id`, by date."""
    statement = (
        select(PlanForecast)
        .where(
            PlanForecast.plan_run_id == plan_run_id,
            PlanForecast.sku == sku,
            PlanForecast.location == location,
        )
        .order_by(PlanForecast.date)  # type: ignore[arg-type]
    )
    return list(session.exec(statement).all())


def backtest_metrics_page(
    session: Session,
    *,
    plan_run_id: int,
    sku: str | None = None,
    location: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[PlanBacktestMetric], int]:
    """Backtest/model-selection rows of run `plan_run_id`, ordered by (location, sku)."""
    statement = select(PlanBacktestMetric).where(PlanBacktestMetric.plan_run_id == plan_run_id)
    if sku is not None:
        statement = statement.where(PlanBacktestMetric.sku == sku)
    if location is not None:
        statement = statement.where(PlanBacktestMetric.location == location)
    order = (PlanBacktestMetric.location, PlanBacktestMetric.sku, PlanBacktestMetric.id)
    return _page(session, statement, limit=limit, offset=offset, order_by=order)


SUGGESTION_EXPORT_COLUMNS: tuple[str, ...] = (
    "sku",
    "location",
    "origin",
    "order_qty",
    "final_qty",
    "review_status",
    "reason_code",
    "comment",
    "reviewed_by",
    "reviewed_at",
    "order_up_to",
    "reorder_point",
    "safety_stock",
    "position",
    "demand_over_protection",
    "service_class",
    "service_group",
    "target_fill_rate",
    "flags",
    "explanation",
)


def suggestions_frame(
    session: Session, *, plan_run_id: int, location: str | None = None
) -> pd.DataFrame:
    """A run's suggestions with their review as a DataFrame (`SUGGESTION_EXPORT_COLUMNS`),
    ordered by (location, sku); `reviewed_at` as an ISO-8601 UTC string."""
    rows = all_suggestions(session, plan_run_id=plan_run_id, location=location)
    records = []
    for row in rows:
        record = {column: getattr(row, column) for column in SUGGESTION_EXPORT_COLUMNS}
        reviewed_at = as_utc(row.reviewed_at)
        record["reviewed_at"] = reviewed_at.isoformat() if reviewed_at else None
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(SUGGESTION_EXPORT_COLUMNS))
