"""Uploading input CSVs: same validation as `supplycast import`, all-or-nothing, structured
problems with file/line/column, 413 above the body limit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.app import create_app
from storage.db import make_engine
from storage.tables import Sale
from supplycast.settings import Settings
from tests.api.conftest import ApiEnv


def _sales(database_url: str) -> list[tuple[str, str, str, float]]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(Sale).order_by(col(Sale.date), col(Sale.sku))).all()
            return [(r.sku, r.location, r.date.isoformat(), r.units) for r in rows]
    finally:
        engine.dispose()


def test_valid_upload_is_imported(api_env: ApiEnv) -> None:
    csv = b"sku,location,date,units\nA,F1,2024-03-01,4\nB,F1,2024-03-01,2.5\n"
    response = api_env.client.post(
        "/v1/data/sales",
        headers=api_env.auth("planner"),
        files={"file": ("day.csv", csv, "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"kind": "sales", "file": "day.csv", "rows": {"sales": 2}}
    assert _sales(api_env.database_url) == [
        ("A", "F1", "2024-03-01", 4.0),
        ("B", "F1", "2024-03-01", 2.5),
    ]


def test_invalid_upload_lists_every_problem_and_writes_nothing(api_env: ApiEnv) -> None:
    csv = (
        b"sku,location,date,units\n"
        b"A,F1,2024-03-01,4\n"
        b"ZZ,F1,2024-03-01,1\n"
        b"A,F1,2024-13-01,1\n"
        b"A,F1,2024-03-01,3\n"
    )
    response = api_env.client.post(
        "/v1/data/sales", headers=api_env.auth("analyst"), files={"file": ("bad.csv", csv)}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].endswith("problem(s) in bad.csv; nothing was written")
    where = {(p["file"], p["line"], p["column"]) for p in body["problems"]}
    assert ("bad.csv", 3, "sku") in where  # unknown sku
    assert ("bad.csv", 4, "date") in where  # month 13
    assert any(p["line"] == 5 for p in body["problems"])  # duplicate of line 2
    assert all(set(p) == {"file", "line", "column", "message"} for p in body["problems"])
    assert _sales(api_env.database_url) == []


def test_unknown_kind_and_missing_file(api_env: ApiEnv) -> None:
    headers = api_env.auth("admin")
    unknown = api_env.client.post(
        "/v1/data/orders", headers=headers, files={"file": ("o.csv", b"x\n")}
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"].startswith("unknown kind 'orders'; expected one of items, ")
    no_file = api_env.client.post("/v1/data/sales", headers=headers)
    assert no_file.status_code == 422


def test_bodies_over_the_limit_get_413_and_nothing_is_written(migrated_url: str) -> None:
    from tests.api.conftest import create_key

    key = create_key(migrated_url, role="admin")
    settings = Settings(database_url=migrated_url, max_upload_bytes=400)
    big = b"sku,location,date,units\n" + b"A,F1,2024-03-01,1\n" * 40
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {key}"}
        refused = client.post("/v1/data/sales", headers=headers, files={"file": ("s.csv", big)})
        assert refused.status_code == 413
        assert refused.json() == {"detail": "request body larger than the limit of 400 bytes"}

        def chunks():  # no Content-Length: the limit is enforced while reading
            yield b'{"as_of": "2024-03-04", "pad": "'
            yield b"x" * 500
            yield b'"}'

        streamed = client.post("/v1/plan-runs", headers=headers, content=chunks())
        assert streamed.status_code == 413
        small = client.post("/v1/data/sales", headers=headers, files={"file": ("s.csv", big[:42])})
        assert small.status_code == 200
    assert _sales(migrated_url) == [("A", "F1", "2024-03-01", 1.0)]
