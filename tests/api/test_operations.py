"""`/healthz`, `/metrics`, the planner page's static files and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import ApiEnv, publish_plan


def test_healthz_reports_the_database(shared_api_env: ApiEnv) -> None:
    response = shared_api_env.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"  # directory absent: cannot open
    with TestClient(create_app(url)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_metrics_count_requests_by_route_template_and_status(shared_api_env: ApiEnv) -> None:
    client = shared_api_env.client
    before = _sample(client.get("/metrics").text, "F1")
    for _ in range(3):
        client.get("/v1/locations/F1/allocations", headers=shared_api_env.auth("warehouse_F1"))
    client.get("/v1/locations/F2/allocations", headers=shared_api_env.auth("warehouse_F1"))
    text = client.get("/metrics").text
    assert _sample(text, "F1") == before + 3
    assert (
        'supplycast_http_requests_total{method="GET",route="/v1/locations/{location}/allocations",'
        'status="403"}' in text
    )
    assert "supplycast_http_request_duration_seconds_bucket" in text


def _sample(text: str, _: str) -> float:
    prefix = (
        'supplycast_http_requests_total{method="GET",'
        'route="/v1/locations/{location}/allocations",status="200"} '
    )
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix) :])
    return 0.0


def test_openapi_lists_the_versioned_routes_and_bearer_auth(shared_api_env: ApiEnv) -> None:
    schema = shared_api_env.client.get("/openapi.json").json()
    assert {
        "/v1/locations/{location}/allocations",
        "/v1/locations/{location}/routes",
        "/v1/suggestions",
        "/v1/suggestions/export",
        "/v1/forecasts",
        "/v1/plan-runs",
        "/v1/data/{kind}",
        "/healthz",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert shared_api_env.client.get("/docs").status_code == 200


def test_planner_page_and_script_are_served(shared_api_env: ApiEnv) -> None:
    page = shared_api_env.client.get("/planner")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/planner.js">' in page.text
    script = shared_api_env.client.get("/static/planner.js")
    assert script.status_code == 200
    assert "/v1/suggestions" in script.text


def test_metrics_show_plan_run_durations_read_from_the_database(api_env: ApiEnv) -> None:
    publish_plan(
        api_env.database_url,
        steps={
            "forecast": {"status": "done", "seconds": 1.5, "detail": ""},
            "route": {"status": "skipped", "seconds": 0.0, "detail": "no core"},
        },
    )
    text = api_env.client.get("/metrics").text
    assert 'supplycast_plan_run_step_seconds{outcome="done",step="forecast"} 1.5' in text
    assert 'supplycast_plan_run_step_seconds{outcome="skipped",step="route"} 0.0' in text
    assert 'supplycast_plan_run_last_duration_seconds{status="published"}' in text
    assert 'supplycast_plan_run_last_duration_seconds{status="failed"}' not in text
