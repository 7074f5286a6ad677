"""Planners: filters, approve, override with reason codes, the audit trail, CSV/Excel export."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from tests.api.conftest import ApiEnv, publish_plan, suggestion_frame


def _ids(env: ApiEnv, query: str = "") -> list[tuple[str, str]]:
    body = env.client.get(f"/v1/suggestions{query}", headers=env.auth("planner")).json()
    return [(row["location"], row["sku"]) for row in body["items"]]


def test_filters_by_location_sku_flag_token_and_status(api_env: ApiEnv) -> None:
    publish_plan(api_env.database_url, suggestions=suggestion_frame())
    assert _ids(api_env) == [("F1", "A"), ("F1", "B"), ("F2", "A"), ("F2", "B")]
    assert _ids(api_env, "?location=F2") == [("F2", "A"), ("F2", "B")]
    assert _ids(api_env, "?sku=B&date=2024-03-04") == [("F1", "B"), ("F2", "B")]
    # exact token match: "low_stock_soon" is not "low_stock"
    assert _ids(api_env, "?flag=low_stock") == [("F1", "A"), ("F2", "B")]
    assert _ids(api_env, "?flag=promo") == [("F1", "A")]
    assert _ids(api_env, "?flag=low") == []
    assert _ids(api_env, "?review_status=approved") == []
    unknown = api_env.client.get("/v1/suggestions?sku=ZZZ", headers=api_env.auth("planner"))
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "unknown sku 'ZZZ'"


def test_override_then_approve_is_audited_with_who_old_new_and_reason(api_env: ApiEnv) -> None:
    publish_plan(api_env.database_url, suggestions=suggestion_frame())
    planner = api_env.auth("planner")
    row = api_env.client.get("/v1/suggestions?location=F2&sku=A", headers=planner).json()["items"][
        0
    ]
    assert (row["order_qty"], row["review_status"], row["final_qty"]) == (24.0, "pending", None)
    override = api_env.client.post(
        f"/v1/suggestions/{row['id']}/override",
        headers=planner,
        json={"quantity": 36, "reason_code": "promo_not_in_data", "comment": "flyer next week"},
    )
    assert override.status_code == 200, override.text
    body = override.json()
    assert body["suggestion"]["review_status"] == "overridden"
    assert body["suggestion"]["final_qty"] == 36.0
    assert body["suggestion"]["reviewed_by"] == "pat planner"
    approve = api_env.client.post(
        f"/v1/suggestions/{row['id']}/approve", headers=api_env.auth("admin")
    )
    assert approve.json()["suggestion"]["final_qty"] == 36.0
    assert approve.json()["suggestion"]["review_status"] == "approved"
    trail = api_env.client.get(f"/v1/suggestions/{row['id']}/reviews", headers=planner).json()
    assert [
        (t["action"], t["old_qty"], t["new_qty"], t["reason_code"], t["reviewed_by"]) for t in trail
    ] == [
        ("override", 24.0, 36.0, "promo_not_in_data", "pat planner"),
        ("approve", 36.0, 36.0, None, "admin"),
    ]
    assert trail[0]["comment"] == "flyer next week"
    assert trail[0]["reviewed_at"].endswith(("+00:00", "Z"))
    assert _ids(api_env, "?review_status=approved") == [("F2", "A")]
    day = api_env.client.get("/v1/suggestion-reviews?date=2024-03-04", headers=planner).json()
    assert [(t["sku"], t["location"], t["action"]) for t in day] == [
        ("A", "F2", "override"),
        ("A", "F2", "approve"),
    ]


def test_override_validation_is_precise_and_writes_nothing(api_env: ApiEnv) -> None:
    publish_plan(api_env.database_url, suggestions=suggestion_frame())
    planner = api_env.auth("planner")
    sid = api_env.client.get("/v1/suggestions", headers=planner).json()["items"][0]["id"]
    cases = [
        (
            {"quantity": 5, "reason_code": "other"},
            "reason_code 'other' requires a non-empty comment",
        ),
        ({"quantity": 5, "reason_code": "weather"}, "Input should be 'promo_not_in_data'"),
        ({"quantity": -1, "reason_code": "local_event"}, "greater than or equal to 0"),
        ({"reason_code": "local_event"}, "Field required"),
    ]
    for payload, message in cases:
        response = api_env.client.post(
            f"/v1/suggestions/{sid}/override", headers=planner, json=payload
        )
        assert response.status_code == 422
        assert message in response.text
    assert api_env.client.get(f"/v1/suggestions/{sid}/reviews", headers=planner).json() == []
    missing = api_env.client.post("/v1/suggestions/99999/approve", headers=planner)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no suggestion with id 99999"


def test_a_replaced_version_cannot_be_reviewed(api_env: ApiEnv) -> None:
    publish_plan(api_env.database_url, suggestions=suggestion_frame())
    planner = api_env.auth("planner")
    old_id = api_env.client.get("/v1/suggestions", headers=planner).json()["items"][0]["id"]
    new_run = publish_plan(api_env.database_url, suggestions=suggestion_frame())
    response = api_env.client.post(f"/v1/suggestions/{old_id}/approve", headers=planner)
    assert response.status_code == 409
    assert f"version 2 (plan run {new_run}) replaced it" in response.json()["detail"]


def test_export_csv_and_excel_hold_the_reviewed_quantities(api_env: ApiEnv) -> None:
    publish_plan(api_env.database_url, suggestions=suggestion_frame())
    planner = api_env.auth("planner")
    sid = api_env.client.get("/v1/suggestions?location=F1&sku=B", headers=planner).json()["items"][
        0
    ]["id"]
    api_env.client.post(
        f"/v1/suggestions/{sid}/override",
        headers=planner,
        json={"quantity": 12, "reason_code": "other", "comment": "new shelf"},
    )
    csv_response = api_env.client.get("/v1/suggestions/export?date=2024-03-04", headers=planner)
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert 'filename="suggestions_2024-03-04_v1.csv"' in csv_response.headers["content-disposition"]
    frame = pd.read_csv(io.BytesIO(csv_response.content))
    assert list(frame["sku"]) == ["A", "B", "A", "B"]
    assert list(frame["order_qty"]) == [10.0, 0.0, 24.0, 6.0]
    overridden = frame[(frame["location"] == "F1") & (frame["sku"] == "B")].iloc[0]
    assert (overridden["final_qty"], overridden["reason_code"], overridden["comment"]) == (
        12.0,
        "other",
        "new shelf",
    )
    xlsx = api_env.client.get("/v1/suggestions/export?format=xlsx&location=F1", headers=planner)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("sku", "location", "origin", "order_qty", "final_qty")
    assert [(r[0], r[1], r[3], r[4]) for r in rows[1:]] == [
        ("A", "F1", 10, None),
        ("B", "F1", 0, 12),
    ]


def test_suggestions_and_exports_carry_the_service_target_columns(api_env: ApiEnv) -> None:
    """Class, group and target fill rate as data; null on rows without them (F1 here, as on
    a plan stored before the columns existed)."""
    publish_plan(api_env.database_url, suggestions=suggestion_frame())
    planner = api_env.auth("planner")
    items = api_env.client.get("/v1/suggestions", headers=planner).json()["items"]
    columns = ("service_class", "service_group", "target_fill_rate")
    assert {(s["location"], s["sku"]): tuple(s[c] for c in columns) for s in items} == {
        ("F1", "A"): (None, None, None),
        ("F1", "B"): (None, None, None),
        ("F2", "A"): ("AX", "front A", 0.98),
        ("F2", "B"): ("BY", "front B", 0.916),
    }
    csv_response = api_env.client.get("/v1/suggestions/export", headers=planner)
    frame = pd.read_csv(io.BytesIO(csv_response.content), keep_default_na=False)
    assert frame[["location", "sku", *columns]].values.tolist() == [
        ["F1", "A", "", "", ""],
        ["F1", "B", "", "", ""],
        ["F2", "A", "AX", "front A", "0.98"],
        ["F2", "B", "BY", "front B", "0.916"],
    ]
    xlsx = api_env.client.get("/v1/suggestions/export?format=xlsx&location=F2", headers=planner)
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    where = [rows[0].index(c) for c in columns]
    assert [tuple(r[i] for i in where) for r in rows[1:]] == [
        ("AX", "front A", 0.98),
        ("BY", "front B", 0.916),
    ]
