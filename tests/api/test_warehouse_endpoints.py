"""Allocations and routes for warehouse systems: paging pinned to a plan run, ETag/304,
plan version in the body, errors for unknown locations and bad dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tests.api.conftest import DAY, ApiEnv, allocation_frame, publish_plan


def test_allocation_pages_cover_every_row_once_and_stay_on_one_plan(api_env: ApiEnv) -> None:
    run_1 = publish_plan(api_env.database_url, allocations=allocation_frame(25))
    url = "/v1/locations/F1/allocations?date=2024-03-04&limit=5"
    seen: list[tuple[str, float]] = []
    first = True
    while url:
        response = api_env.client.get(url, headers=api_env.auth("warehouse_F1"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["plan"]["plan_run_id"] == run_1
        assert body["plan"]["version"] == 1
        assert body["total"] == 13  # rows 0, 2, ..., 24 go to F1
        seen += [(row["sku"], row["units"]) for row in body["items"]]
        if first:
            # a newer version published between pages must not leak into this listing
            publish_plan(api_env.database_url, allocations=allocation_frame(25, units_offset=1000))
            first = False
        url = body["next"]
        if url:
            assert f"plan_run_id={run_1}" in url
    expected = [(f"S{i:05d}", float(i + 1)) for i in range(0, 25, 2)]
    assert seen == expected
    latest = api_env.client.get(
        "/v1/locations/F1/allocations", headers=api_env.auth("warehouse_F1")
    ).json()
    assert latest["plan"]["version"] == 2
    assert latest["items"][0]["units"] == 1001.0


def test_direction_filter_splits_outbound_and_inbound(api_env: ApiEnv) -> None:
    publish_plan(api_env.database_url, allocations=allocation_frame(6))
    headers = api_env.auth("admin")
    outbound = api_env.client.get(
        "/v1/locations/R1/allocations?direction=outbound", headers=headers
    )
    inbound = api_env.client.get("/v1/locations/R1/allocations?direction=inbound", headers=headers)
    to_f2 = api_env.client.get("/v1/locations/F2/allocations?direction=inbound", headers=headers)
    assert outbound.json()["total"] == 6
    assert inbound.json()["total"] == 0
    assert [row["units"] for row in to_f2.json()["items"]] == [2.0, 4.0, 6.0]


def test_etag_answers_304_until_a_new_version_is_published(api_env: ApiEnv) -> None:
    publish_plan(api_env.database_url, allocations=allocation_frame(4))
    headers = api_env.auth("warehouse_F1")
    first = api_env.client.get("/v1/locations/F1/allocations", headers=headers)
    etag = first.headers["etag"]
    again = api_env.client.get(
        "/v1/locations/F1/allocations", headers={**headers, "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    publish_plan(api_env.database_url, allocations=allocation_frame(4, units_offset=5))
    changed = api_env.client.get(
        "/v1/locations/F1/allocations", headers={**headers, "If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["plan"]["version"] == 2


def test_routes_of_a_depot_with_unserved_stops(api_env: ApiEnv) -> None:
    legs = pd.DataFrame(
        {
            "route_date": [DAY] * 3,
            "depot": ["R1"] * 3,
            "vehicle": ["truck-2", "truck-1", "truck-1"],
            "sequence": [1, 2, 1],
            "stop": ["F2", "F2", "F1"],
            "arrival": ["08:30", "09:10", "08:20"],
            "departure": ["08:45", "09:20", "08:35"],
            "load_after": [0.0, 0.0, 30.0],
            "distance_km": [12.5, 4.0, 9.1],
        }
    )
    unserved = pd.DataFrame({"depot": ["R1"], "stop": ["F9"], "reason": ["time window"]})
    publish_plan(api_env.database_url, route_legs=legs, unserved=unserved)
    body = api_env.client.get(
        "/v1/locations/R1/routes", headers=api_env.auth("warehouse_R1")
    ).json()
    assert [(leg["vehicle"], leg["sequence"], leg["stop"]) for leg in body["items"]] == [
        ("truck-1", 1, "F1"),
        ("truck-1", 2, "F2"),
        ("truck-2", 1, "F2"),
    ]
    assert body["unserved"] == [{"depot": "R1", "stop": "F9", "reason": "time window"}]
    front = api_env.client.get("/v1/locations/F1/routes", headers=api_env.auth("warehouse_F1"))
    assert [leg["arrival"] for leg in front.json()["items"]] == ["08:20"]


def test_precise_4xx_for_unknown_location_bad_date_and_missing_plan(api_env: ApiEnv) -> None:
    headers = api_env.auth("admin")
    none_yet = api_env.client.get("/v1/locations/F1/allocations", headers=headers)
    assert none_yet.status_code == 404
    assert none_yet.json()["detail"] == "no published plan"
    publish_plan(api_env.database_url, allocations=allocation_frame(2))
    unknown = api_env.client.get("/v1/locations/NOPE/allocations", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "unknown location 'NOPE'"
    bad_date = api_env.client.get("/v1/locations/F1/allocations?date=2024-02-30", headers=headers)
    assert bad_date.status_code == 422
    assert bad_date.json()["detail"][0]["loc"] == ["query", "date"]
    other_day = api_env.client.get("/v1/locations/F1/allocations?date=2024-03-05", headers=headers)
    assert other_day.status_code == 404
    assert other_day.json()["detail"] == "no published plan for 2024-03-05"
    wrong_pin = api_env.client.get("/v1/locations/F1/allocations?plan_run_id=999", headers=headers)
    assert wrong_pin.status_code == 404
    assert wrong_pin.json()["detail"] == "no published plan run with id 999"
    bad_limit = api_env.client.get("/v1/locations/F1/allocations?limit=0", headers=headers)
    assert bad_limit.status_code == 422


def test_an_older_version_stays_readable_by_pinning_its_run(api_env: ApiEnv) -> None:
    old = publish_plan(api_env.database_url, allocations=allocation_frame(2))
    publish_plan(api_env.database_url, allocations=allocation_frame(2, units_offset=10))
    pinned = api_env.client.get(
        f"/v1/locations/F1/allocations?plan_run_id={old}", headers=api_env.auth("warehouse_F1")
    )
    assert pinned.json()["items"][0]["units"] == 1.0
    mismatch = api_env.client.get(
        f"/v1/locations/F1/allocations?plan_run_id={old}&date={dt.date(2024, 3, 5)}",
        headers=api_env.auth("warehouse_F1"),
    )
    assert mismatch.status_code == 400
