"""FastAPI dependencies as `Annotated` types: database session, authenticated key, role checks.

HTTP errors are raised here and in the routes only. Permissions per role:

| what | roles |
|---|---|
| allocations and routes of a location | admin, planner, analyst; warehouse for its own location |
| suggestions: list, export | admin, planner, analyst |
| suggestions: approve, override | admin, planner |
| forecasts, backtest metrics, plan runs | admin, planner, analyst |
| trigger a plan run | admin, analyst |
| upload data | admin, planner, analyst |
| API keys | admin |
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.security import hash_api_key
from storage.api_queries import find_active_key_identity


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name, role and (warehouse keys) location."""

    key_id: int
    name: str
    role: str
    location: str | None

    def can_read_location(self, location: str) -> bool:
        """True unless this is a warehouse key bound to another location."""
        return self.role != "warehouse" or self.location == location


async def get_engine(request: Request) -> Engine:
    """The engine created by `create_app` for this app instance."""
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


async def get_session(engine: EngineDep) -> AsyncIterator[Session]:
    """A session for one request; the route commits what it writes.

    Creating a session does no I/O (a connection is taken on its first query), so this runs on
    the event loop; closing it runs in the thread pool when it still holds a connection (the
    ROLLBACK that returns it to the pool is a round trip). `get_principal` is a plain `def`:
    FastAPI runs it in the thread pool, so no database round trip ever blocks the event loop
    that serves every other request."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`.")


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller's active API key, or 401 (missing, unknown or revoked key)."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing API key (Authorization: Bearer <key>)", challenge
        )
    identity = find_active_key_identity(session, key_hash=hash_api_key(credentials.credentials))
    if identity is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or revoked API key", challenge)
    key_id, name, role, location = identity
    return Principal(key_id=key_id, name=name, role=role, location=location)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting only keys with one of `roles` (403 otherwise)."""

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"a {principal.role} key may not do this; allowed roles: {', '.join(roles)}",
            )
        return principal

    return check


LocationReader = Annotated[
    Principal, Depends(require_roles("admin", "planner", "analyst", "warehouse"))
]
SuggestionReader = Annotated[Principal, Depends(require_roles("admin", "planner", "analyst"))]
Reviewer = Annotated[Principal, Depends(require_roles("admin", "planner"))]
Analyst = Annotated[Principal, Depends(require_roles("admin", "planner", "analyst"))]
RunTrigger = Annotated[Principal, Depends(require_roles("admin", "analyst"))]
Uploader = Annotated[Principal, Depends(require_roles("admin", "planner", "analyst"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]


def ensure_location_access(principal: Principal, location: str) -> None:
    """403 when a warehouse key asks for another location's data."""
    if not principal.can_read_location(location):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this warehouse key reads location {principal.location!r} only, not {location!r}",
        )
