"""Every role boundary of the API, key storage (hash only) and no key in the logs."""

from __future__ import annotations

import hashlib
import logging

import pytest
from sqlmodel import Session, select

from storage.api_tables import ApiKey
from storage.db import make_engine
from tests.api.conftest import ApiEnv, create_key


@pytest.fixture
def published(shared_api_env: ApiEnv) -> ApiEnv:
    """The module's shared app: one published plan, one key per role (tests don't revoke them)."""
    return shared_api_env


def _first_suggestion_id(env: ApiEnv) -> int:
    return env.client.get("/v1/suggestions", headers=env.auth("planner")).json()["items"][0]["id"]


def test_no_key_and_unknown_key_get_401(published: ApiEnv) -> None:
    missing = published.client.get("/v1/locations/F1/allocations")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    unknown = published.client.get(
        "/v1/locations/F1/allocations", headers={"Authorization": "Bearer sc_not-a-key"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == "invalid or revoked API key"


def test_revoked_key_gets_401(published: ApiEnv) -> None:
    key = create_key(published.database_url, role="warehouse", location="F1", name="to revoke")
    headers = {"Authorization": f"Bearer {key}"}
    assert published.client.get("/v1/locations/F1/allocations", headers=headers).status_code == 200
    keys = published.client.get("/v1/keys", headers=published.auth("admin")).json()
    key_id = next(k["id"] for k in keys if k["name"] == "to revoke")
    revoked = published.client.delete(f"/v1/keys/{key_id}", headers=published.auth("admin"))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    after = published.client.get("/v1/locations/F1/allocations", headers=headers)
    assert after.status_code == 401


def test_warehouse_key_reads_only_its_own_location(published: ApiEnv) -> None:
    headers = published.auth("warehouse_F1")
    assert published.client.get("/v1/locations/F1/allocations", headers=headers).status_code == 200
    assert published.client.get("/v1/locations/F1/routes", headers=headers).status_code == 200
    other = published.client.get("/v1/locations/F2/allocations", headers=headers)
    assert other.status_code == 403
    assert other.json()["detail"] == "this warehouse key reads location 'F1' only, not 'F2'"
    assert published.client.get("/v1/locations/R1/routes", headers=headers).status_code == 403


def test_warehouse_key_cannot_write_or_read_planning_data(published: ApiEnv) -> None:
    headers = published.auth("warehouse_F1")
    suggestion_id = _first_suggestion_id(published)
    attempts = [
        published.client.post(f"/v1/suggestions/{suggestion_id}/approve", headers=headers),
        published.client.post(
            f"/v1/suggestions/{suggestion_id}/override",
            headers=headers,
            json={"quantity": 1, "reason_code": "local_event"},
        ),
        published.client.post("/v1/plan-runs", headers=headers),
        published.client.post(
            "/v1/data/items", headers=headers, files={"file": ("items.csv", b"sku\n")}
        ),
        published.client.post("/v1/keys", headers=headers, json={"name": "x", "role": "admin"}),
        published.client.get("/v1/suggestions", headers=headers),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)


def test_planner_cannot_manage_keys_and_analyst_cannot_review(published: ApiEnv) -> None:
    planner = published.auth("planner")
    assert (
        published.client.post(
            "/v1/keys", headers=planner, json={"name": "x", "role": "admin"}
        ).status_code
        == 403
    )
    assert published.client.get("/v1/keys", headers=planner).status_code == 403
    assert published.client.delete("/v1/keys/1", headers=planner).status_code == 403
    assert published.client.post("/v1/plan-runs", headers=planner).status_code == 403
    analyst = published.auth("analyst")
    suggestion_id = _first_suggestion_id(published)
    approve = published.client.post(f"/v1/suggestions/{suggestion_id}/approve", headers=analyst)
    assert approve.status_code == 403
    assert (
        approve.json()["detail"] == "a analyst key may not do this; allowed roles: admin, planner"
    )
    override = published.client.post(
        f"/v1/suggestions/{suggestion_id}/override",
        headers=analyst,
        json={"quantity": 3, "reason_code": "supplier_issue"},
    )
    assert override.status_code == 403
    assert published.client.get("/v1/suggestions", headers=analyst).status_code == 200


def test_admin_creates_a_warehouse_key_that_works_for_its_location(published: ApiEnv) -> None:
    created = published.client.post(
        "/v1/keys",
        headers=published.auth("admin"),
        json={"name": "F2 WMS", "role": "warehouse", "location": "F2"},
    )
    assert created.status_code == 201
    key = created.json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert published.client.get("/v1/locations/F2/allocations", headers=headers).status_code == 200
    assert published.client.get("/v1/locations/F1/allocations", headers=headers).status_code == 403
    no_location = published.client.post(
        "/v1/keys", headers=published.auth("admin"), json={"name": "w", "role": "warehouse"}
    )
    assert no_location.status_code == 400
    assert no_location.json()["detail"] == "a warehouse key needs a location (--location LOC)"
    listed = published.client.get("/v1/keys", headers=published.auth("admin")).json()
    assert all("key" not in row and "key_hash" not in row for row in listed)


def test_only_the_sha256_of_a_key_is_stored(published: ApiEnv) -> None:
    engine = make_engine(published.database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(ApiKey)).all()
    finally:
        engine.dispose()
    stored = {row.key_hash for row in rows}
    for key in published.keys.values():
        assert hashlib.sha256(key.encode()).hexdigest() in stored
        assert all(key not in (row.key_hash, row.name, row.key_prefix) for row in rows)


def test_keys_never_reach_the_logs(published: ApiEnv, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for who in published.keys:
        published.client.get("/v1/locations/F1/allocations", headers=published.auth(who))
    published.client.post(
        "/v1/keys", headers=published.auth("admin"), json={"name": "n", "role": "analyst"}
    )
    text = caplog.text
    assert all(key not in text for key in published.keys.values())
    assert "sc_" not in text
