"""Tables the HTTP API owns: API keys and the audit trail of planners' suggestion reviews.

Only the sha256 hash of a key is stored; the key itself is shown once, when created.
Timestamps are aware UTC datetimes (SQLite hands them back without offset; readers treat a
naive value as UTC). The audit rows carry `sku`/`location` strings and the suggestion's id,
so an entry stays readable even when the plan it belongs to is superseded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer
from sqlmodel import Field, SQLModel

ROLES: tuple[str, ...] = ("admin", "planner", "analyst", "warehouse")
"""Roles an API key can have. A `warehouse` key is bound to one location."""

REASON_CODES: tuple[str, ...] = ("promo_not_in_data", "supplier_issue", "local_event", "other")
"""Reason codes accepted for a quantity override; `other` requires a comment."""

REVIEW_ACTIONS: tuple[str, ...] = ("approve", "override")


class ApiKey(SQLModel, table=True):
    """An API key: its hash, role and (for `warehouse`) the one location it may read."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, description="Free label, e.g. who holds the key.")
    key_prefix: str = Field(
        max_length=16, description="First characters of the key, to tell keys apart."
    )
    key_hash: str = Field(
        max_length=64, unique=True, index=True, description="sha256 hex of the key."
    )
    role: str = Field(max_length=20)
    location: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class SuggestionReview(SQLModel, table=True):
    """One change a reviewer made to a replenishment suggestion (the audit trail).

    `old_qty` is the final quantity before the change (the suggested `order_qty` when never
    reviewed), `new_qty` the final quantity after it; both in units.
    """

    __tablename__ = "suggestion_reviews"

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("plan_suggestions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    plan_run_id: int = Field(index=True)
    sku: str = Field(max_length=100)
    location: str = Field(max_length=100)
    action: str = Field(max_length=20)
    old_qty: float | None = None
    new_qty: float | None = None
    reason_code: str | None = Field(default=None, max_length=40)
    comment: str | None = Field(default=None, max_length=2000)
    reviewed_by: str = Field(
        max_length=200, description="Name of the API key that made the change."
    )
    api_key_id: int | None = Field(default=None)
    reviewed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
