"""Analysts: forecasts with quantiles, backtest metrics, run history, triggering a real run."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from storage.db import make_engine
from storage.importing import import_directory
from supplycast.plan_steps.run_lock import plan_run_lock
from tests.api.conftest import DAY, ApiEnv, publish_plan
from tests.service.network import LAST_DAY, write_network


def test_forecast_series_with_quantiles_and_backtest_metrics(api_env: ApiEnv) -> None:
    forecasts = pd.DataFrame(
        {
            "sku": ["A", "A", "B", "A"],
            "location": ["F1", "F1", "F1", "F2"],
            "date": [DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=1), DAY, DAY],
            "mean": [11.0, 10.0, 3.0, 7.0],
            "p10": [6.0, 5.0, 1.0, 4.0],
            "p50": [10.5, 9.5, 3.0, 7.0],
            "p90": [16.0, 15.0, 5.0, 10.0],
            "model": ["AutoETS"] * 4,
        }
    )
    backtest = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "location": ["F1", "F1"],
            "demand_class": ["smooth", "intermittent"],
            "model": ["AutoETS", "CrostonSBA"],
            "mase": [0.82, 1.1],
            "cold_start": [False, True],
        }
    )
    run_id = publish_plan(api_env.database_url, forecasts=forecasts, backtest=backtest)
    analyst = api_env.auth("analyst")
    series = api_env.client.get("/v1/forecasts?sku=A&location=F1", headers=analyst).json()
    assert series["plan"]["plan_run_id"] == run_id
    assert [(p["date"], p["mean"], p["p10"], p["p50"], p["p90"]) for p in series["points"]] == [
        ("2024-03-05", 10.0, 5.0, 9.5, 15.0),
        ("2024-03-06", 11.0, 6.0, 10.5, 16.0),
    ]
    metrics = api_env.client.get("/v1/backtest-metrics?location=F1", headers=analyst).json()
    assert [(m["sku"], m["model"], m["mase"], m["cold_start"]) for m in metrics["items"]] == [
        ("A", "AutoETS", 0.82, False),
        ("B", "CrostonSBA", 1.1, True),
    ]
    unknown = api_env.client.get("/v1/forecasts?sku=A&location=XX", headers=analyst)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "unknown location 'XX'"
    missing_param = api_env.client.get("/v1/forecasts?sku=A", headers=analyst)
    assert missing_param.status_code == 422


def test_run_history_shows_status_and_current_step(api_env: ApiEnv) -> None:
    first = publish_plan(api_env.database_url)
    from sqlmodel import Session

    from storage.plans import start_plan_run, update_plan_run_progress

    engine = make_engine(api_env.database_url)
    with Session(engine) as session:
        running_id = start_plan_run(session, as_of=DAY, triggered_by="test").id
        assert running_id is not None
        update_plan_run_progress(
            session, run_id=running_id, current_step="forecast", steps={"load": {"status": "done"}}
        )
    engine.dispose()
    body = api_env.client.get("/v1/plan-runs", headers=api_env.auth("analyst")).json()
    assert body["total"] == 2
    assert [(r["id"], r["status"], r["version"], r["current_step"]) for r in body["items"]] == [
        (running_id, "running", 2, "forecast"),
        (first, "published", 1, None),
    ]
    one = api_env.client.get(f"/v1/plan-runs/{running_id}", headers=api_env.auth("analyst"))
    assert one.json()["steps"] == {"load": {"status": "done"}}
    only_published = api_env.client.get(
        "/v1/plan-runs?status=published", headers=api_env.auth("analyst")
    ).json()
    assert [r["id"] for r in only_published["items"]] == [first]
    assert (
        api_env.client.get("/v1/plan-runs/424242", headers=api_env.auth("analyst")).status_code
        == 404
    )


def test_trigger_runs_the_real_daily_plan_in_the_background(
    api_env: ApiEnv, tmp_path: Path
) -> None:
    if api_env.database_url.startswith("sqlite"):
        pytest.skip("a real run takes ~10 s; run once, on PostgreSQL (PLAN's tests cover SQLite)")
    engine = make_engine(api_env.database_url)
    try:
        # the seed has R1/F1/F2 and sku A/B already; the network files upsert over them
        import_directory(engine, write_network(tmp_path / "network"))
    finally:
        engine.dispose()
    analyst = api_env.auth("analyst")
    accepted = api_env.client.post(
        "/v1/plan-runs", headers=analyst, json={"as_of": LAST_DAY.isoformat()}
    )
    assert accepted.status_code == 202, accepted.text
    run_id = accepted.json()["plan_run_id"]
    assert accepted.headers["location"] == f"/v1/plan-runs/{run_id}"
    deadline = time.monotonic() + 120
    state = {}
    while time.monotonic() < deadline:
        state = api_env.client.get(f"/v1/plan-runs/{run_id}", headers=analyst).json()
        if state["status"] != "running":
            break
        time.sleep(0.2)
    assert state["status"] == "published", state.get("error")
    assert state["triggered_by"] == "api"
    assert state["as_of"] == LAST_DAY.isoformat()
    suggestions = api_env.client.get("/v1/suggestions", headers=api_env.auth("planner")).json()
    assert suggestions["plan"]["plan_run_id"] == run_id
    metrics = api_env.client.get("/metrics").text
    assert 'supplycast_plan_run_duration_seconds_count{status="published"} 1.0' in metrics


def test_trigger_answers_409_while_another_process_holds_the_run_lock(api_env: ApiEnv) -> None:
    engine = make_engine(api_env.database_url)
    try:
        with plan_run_lock(engine):
            refused = api_env.client.post("/v1/plan-runs", headers=api_env.auth("admin"))
    finally:
        engine.dispose()
    assert refused.status_code == 409
    assert "another plan run is in progress" in refused.json()["detail"]


def test_app_factory_builds_independent_apps(migrated_url: str) -> None:
    with TestClient(create_app(migrated_url)) as one, TestClient(create_app(migrated_url)) as two:
        assert one.get("/healthz").json() == {"status": "ok", "database": "reachable"}
        assert two.get("/healthz").status_code == 200
        assert "supplycast_http_requests_total" in one.get("/metrics").text
