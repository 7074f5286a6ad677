"""Schemathesis against the app's own OpenAPI document: generated requests (as an admin, who may
call everything) never get a 500, and every response matches the documented status codes,
content types, headers and body schemas. Bounded: a few examples per operation.

Left out: `POST /v1/plan-runs` (each call starts a real ~10 s plan run; covered by
test_analyst_endpoints) and `DELETE /v1/keys/{key_id}` (it would revoke the fuzzer's own key).
"""

from __future__ import annotations

from typing import Any

import pytest
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
KNOWN_BUG_KIND = "purchase_orders"
"""DATA's importer raises AttributeError (-> 500) on a purchase_orders file missing columns;
pinned by the xfail below and left out of the fuzzing until it is fixed."""


def test_generated_requests_get_no_500_and_match_the_schema(shared_api_env: ApiEnv) -> None:
    # Built per test (not with schemathesis.pytest.from_fixture, which breaks on pytest 9).
    app = create_app(shared_api_env.database_url)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = shared_api_env.auth("admin")
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED_OPERATIONS:
            continue

        strategy = operation.as_strategy()
        if operation.path == "/v1/data/{kind}":
            strategy = strategy.filter(lambda case: case.path_parameters["kind"] != KNOWN_BUG_KIND)

        @given(case=strategy)
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


@pytest.mark.xfail(
    strict=False,  # not strict: DATA fixing it must not break the suite; then drop this mark
    reason="storage/importing (DATA): purchase_orders without its date column raises "
    "AttributeError ('.dt accessor') instead of ImportValidationError",
)
def test_purchase_orders_upload_missing_columns_is_a_422(api_env: ApiEnv) -> None:
    response = api_env.client.post(
        "/v1/data/purchase_orders",
        headers=api_env.auth("admin"),
        files={"file": ("po.csv", b"0\n")},
    )
    assert response.status_code == 422
