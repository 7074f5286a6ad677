"""Admins: create, list and revoke API keys over HTTP (the CLI `supplycast keys` does the same)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status

from api.deps import Admin, SessionDep
from api.plan_lookup import ensure_location_known
from api.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from api.security import generate_api_key, hash_api_key, key_display_prefix
from storage.api_queries import add_api_key, list_api_keys, revoke_api_key

router = APIRouter(prefix="/v1", tags=["keys"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, unknown or revoked API key."},
    403: {"description": "Only admin keys manage keys."},
}


@router.get("/keys", response_model=list[ApiKeyOut], responses=ERRORS)
def get_keys(session: SessionDep, _: Admin) -> list[ApiKeyOut]:
    """Every key (never the key itself nor its hash), oldest first."""
    return [ApiKeyOut.model_validate(row) for row in list_api_keys(session)]


@router.post(
    "/keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    responses={
        **ERRORS,
        404: {"description": "Unknown location."},
        400: {"description": "Bad role/location pair."},
    },
)
def create_key(session: SessionDep, _: Admin, body: ApiKeyIn) -> ApiKeyCreated:
    """A new key; the response is the only place the key itself ever appears."""
    if body.location is not None:
        ensure_location_known(session, body.location)
    key = generate_api_key()
    try:
        row = add_api_key(
            session,
            name=body.name,
            key_hash=hash_api_key(key),
            key_prefix=key_display_prefix(key),
            role=body.role,
            location=body.location,
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    session.commit()
    return ApiKeyCreated(**ApiKeyOut.model_validate(row).model_dump(), key=key)


@router.delete(
    "/keys/{key_id}",
    response_model=ApiKeyOut,
    responses={**ERRORS, 404: {"description": "No such key."}},
)
def delete_key(
    session: SessionDep, _: Admin, key_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> ApiKeyOut:
    """Revoke key `key_id` (it answers 401 from now on); idempotent."""
    row = revoke_api_key(session, key_id=key_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no API key with id {key_id}")
    session.commit()
    return ApiKeyOut.model_validate(row)
