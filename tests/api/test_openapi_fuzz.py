"""Schemathesis against the app's own OpenAPI document: generated requests (as an admin, who may
call everything) never get a 500, and every response matches the documented status codes,
content types, headers and body schemas. Bounded: a few examples per operation.

Left out: `POST /v1/plan-runs` (each call starts a real ~10 s plan run; covered by
test_analyst_endpoints) and `DELETE /v1/keys/{key_id}` (it would revoke the fuzzer's own key).
"""

from __future__ import annotations

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

from api.app import create_app
from tests.api.conftest import ApiEnv

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


SKIPPED_OPERATIONS = {("POST", "/v1/plan-runs"), ("DELETE", "/v1/keys/{key_id}")}
EXAMPLES_PER_OPERATION = 8


def test_generated_requests_get_no_500_and_match_the_schema(shared_api_env: ApiEnv) -> None:
    # Built per test (not with schemathesis.pytest.from_fixture, which breaks on pytest 9).
    app = create_app(shared_api_env.database_url)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = shared_api_env.auth("admin")
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # Err raises: schema invalid
        if (operation.method.upper(), operation.path) in SKIPPED_OPERATIONS:
            continue

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
    assert len(tested) >= 14, tested


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
