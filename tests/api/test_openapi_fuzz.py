"""Schemathesis against the app's own OpenAPI document: generated requests (as an admin, who may
call everything) never get a 500, and every response matches the documented status codes,
content types, headers and body schemas. Bounded: a few examples per operation.

Every operation is exercised. `POST /v1/plan-runs` runs a stand-in plan runner that records a
run and marks it failed at once (a real run takes ~10 s and is covered by
test_analyst_endpoints); it and `DELETE /v1/keys/{key_id}` (which may revoke the fuzzer's own
key: 401 is documented) come last, so they cannot starve the other operations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session, select

from api.app import create_app
from storage.db import make_engine
from storage.plan_tables import PlanRun
from storage.plans import fail_plan_run, start_plan_run
from tests.api.conftest import ApiEnv

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


LAST_OPERATIONS = (("POST", "/v1/plan-runs"), ("DELETE", "/v1/keys/{key_id}"))
EXAMPLES_PER_OPERATION = 8


def record_failed_run(database_url: str, as_of: dt.date | None, **_: Any) -> None:
    """Stand-in plan runner: creates the run row the launcher waits for, then marks it failed
    (no plan is computed and the published plan is unchanged)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            run = start_plan_run(session, as_of=as_of or dt.date(2026, 1, 1), triggered_by="api")
            assert run.id is not None
            fail_plan_run(session, run_id=run.id, error="fuzz stand-in runner", steps={})
    finally:
        engine.dispose()


def _order(method: str, path: str) -> int:
    key = (method.upper(), path)
    return LAST_OPERATIONS.index(key) + 1 if key in LAST_OPERATIONS else 0


def test_generated_requests_get_no_500_and_match_the_schema(shared_api_env: ApiEnv) -> None:
    # Built per test (not with schemathesis.pytest.from_fixture, which breaks on pytest 9).
    app = create_app(shared_api_env.database_url, plan_runner=record_failed_run)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = shared_api_env.auth("admin")
    tested = []
    # .ok() raises when the schema is invalid
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    operations.sort(key=lambda op: _order(op.method, op.path))  # stable: LAST_OPERATIONS last
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        exercise()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert len(tested) == len(operations) >= 19, tested
    assert tested[-2:] == [f"{m} {p}" for m, p in LAST_OPERATIONS]
    # the trigger got through to the runner at least once (a 202, not only 4xx)
    engine = make_engine(shared_api_env.database_url)
    try:
        with Session(engine) as session:
            errors = session.exec(select(PlanRun.error).where(PlanRun.triggered_by == "api")).all()
    finally:
        engine.dispose()
    assert "fuzz stand-in runner" in errors


def test_purchase_orders_upload_missing_columns_is_a_422(api_env: ApiEnv) -> None:
    response = api_env.client.post(
        "/v1/data/purchase_orders",
        headers=api_env.auth("admin"),
        files={"file": ("po.csv", b"0\n")},
    )
    assert response.status_code == 422  # found by the fuzzing above (was a 500), fixed in DATA
    assert ("po.csv", 1, "expected_date", "required column is missing") in {
        (p["file"], p["line"], p["column"], p["message"]) for p in response.json()["problems"]
    }
