"""API test fixtures: a migrated database with a few inputs, API keys of every role and
helpers to publish plans through PLAN's real publish functions (`storage.plans`)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from api.security import generate_api_key, hash_api_key, key_display_prefix
from storage.api_queries import add_api_key
from storage.db import make_engine
from storage.migrate import upgrade
from storage.plan_tables import (
    PlanAllocation,
    PlanBacktestMetric,
    PlanForecast,
    PlanRouteLeg,
    PlanSuggestion,
    PlanUnserved,
)
from storage.plans import publish_plan_run, save_result_rows, start_plan_run
from storage.tables import Item, Location
from tests.conftest import postgres_schema_url


def free_port() -> int:
    """A TCP port free on the loopback interface (for a test server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


DAY = dt.date(2024, 3, 4)
LOCATIONS = (
    dict(location="R1", name="Regional 1", kind="regional", latitude=31.2, longitude=121.4),
    dict(location="F1", name="Front 1", kind="front", parent="R1", latitude=31.3, longitude=121.5),
    dict(location="F2", name="Front 2", kind="front", parent="R1", latitude=31.1, longitude=121.3),
)
ITEMS = (
    dict(sku="A", name="Apples", category="fruit", unit_cost=1.0, unit_price=2.0),
    dict(sku="B", name="Bread", category="bakery", unit_cost=0.5, unit_price=1.5),
)


def seed_inputs(database_url: str) -> None:
    """Insert the three locations and two items the tests refer to."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            session.add_all([Location.model_validate(row) for row in LOCATIONS])
            session.add_all([Item.model_validate(row) for row in ITEMS])
            session.commit()
    finally:
        engine.dispose()


def create_key(
    database_url: str, *, role: str, location: str | None = None, name: str | None = None
) -> str:
    """A new key of `role` stored hashed; returns the key itself."""
    key = generate_api_key()
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            add_api_key(
                session,
                name=name or role,
                key_hash=hash_api_key(key),
                key_prefix=key_display_prefix(key),
                role=role,
                location=location,
            )
            session.commit()
    finally:
        engine.dispose()
    return key


def publish_plan(
    database_url: str,
    *,
    as_of: dt.date = DAY,
    allocations: pd.DataFrame | None = None,
    suggestions: pd.DataFrame | None = None,
    forecasts: pd.DataFrame | None = None,
    backtest: pd.DataFrame | None = None,
    route_legs: pd.DataFrame | None = None,
    unserved: pd.DataFrame | None = None,
    steps: dict[str, dict[str, object]] | None = None,
) -> int:
    """Write the given result frames under a new run and publish it; returns the run id."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            run = start_plan_run(session, as_of=as_of, triggered_by="test")
            assert run.id is not None
            tables = (
                (PlanAllocation, allocations),
                (PlanSuggestion, suggestions),
                (PlanForecast, forecasts),
                (PlanBacktestMetric, backtest),
                (PlanRouteLeg, route_legs),
                (PlanUnserved, unserved),
            )
            counts = {}
            for table, frame in tables:
                if frame is not None:
                    counts[table.__tablename__] = save_result_rows(
                        session, run_id=run.id, table=table, frame=frame
                    )
            publish_plan_run(session, run_id=run.id, steps=steps or {}, counts=counts, warnings=[])
            return run.id
    finally:
        engine.dispose()


def allocation_frame(
    n_rows: int, *, as_of: dt.date = DAY, units_offset: float = 0.0
) -> pd.DataFrame:
    """`n_rows` shipments R1 -> F1/F2 alternating, sku `S00000`, ..., units = i + 1 + offset."""
    return pd.DataFrame(
        {
            "sku": [f"S{i:05d}" for i in range(n_rows)],
            "origin": ["R1"] * n_rows,
            "destination": ["F1" if i % 2 == 0 else "F2" for i in range(n_rows)],
            "units": [i + 1 + units_offset for i in range(n_rows)],
            "ship_date": [as_of] * n_rows,
            "arrival_date": [as_of + dt.timedelta(days=1)] * n_rows,
        }
    )


def suggestion_frame() -> pd.DataFrame:
    """Four suggestions: A and B at F1 and F2, with flags to filter on. The F2 rows carry a
    service target (class, group, fill rate); the F1 rows have none, like a plan planned
    without class targets or stored before those columns existed."""
    return pd.DataFrame(
        {
            "sku": ["A", "B", "A", "B"],
            "location": ["F1", "F1", "F2", "F2"],
            "location_kind": ["front"] * 4,
            "origin": ["R1"] * 4,
            "order_qty": [10.0, 0.0, 24.0, 6.0],
            "order_up_to": [30.0, 5.0, 40.0, 12.0],
            "reorder_point": [20.0, 4.0, 30.0, 10.0],
            "safety_stock": [5.0, 1.0, 8.0, 2.0],
            "position": [20.0, 6.0, 16.0, 6.0],
            "demand_over_protection": [25.0, 4.0, 32.0, 10.0],
            "flags": ["low_stock;promo", "", "low_stock_soon", "moq_rounded;low_stock"],
            "explanation": [
                "Order 10 units.",
                "Enough stock.",
                "Order 24 units.",
                "Order 6 units.",
            ],
            "service_class": [None, None, "AX", "BY"],
            "service_group": [None, None, "front A", "front B"],
            "target_fill_rate": [None, None, 0.98, 0.916],
        }
    )


@dataclass
class ApiEnv:
    """A running app on a migrated, seeded database, and one key per role."""

    database_url: str
    client: TestClient
    keys: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        """Authorization header of key `who` (admin, planner, analyst, warehouse_F1, ...)."""
        return {"Authorization": f"Bearer {self.keys[who]}"}


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """An empty database migrated to head, with the seed locations and items."""
    upgrade(database_url)
    seed_inputs(database_url)
    return database_url


@pytest.fixture
def api_env(migrated_url: str) -> Iterator[ApiEnv]:
    """The app on the migrated database with keys admin, planner, analyst, warehouse_F1."""
    keys = {
        "admin": create_key(migrated_url, role="admin"),
        "planner": create_key(migrated_url, role="planner", name="pat planner"),
        "analyst": create_key(migrated_url, role="analyst"),
        "warehouse_F1": create_key(migrated_url, role="warehouse", location="F1"),
        "warehouse_R1": create_key(migrated_url, role="warehouse", location="R1"),
    }
    app = create_app(migrated_url)
    with TestClient(app) as client:
        yield ApiEnv(database_url=migrated_url, client=client, keys=keys)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like `database_url` but shared by one module's tests (for read-mostly tests whose
    setup would otherwise dominate the run time): SQLite file or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'module.db'}"
        return
    with postgres_schema_url() as url:
        yield url


@pytest.fixture(scope="module")
def shared_api_env(module_database_url: str) -> Iterator[ApiEnv]:
    """An `ApiEnv` shared by a module's tests, with one published plan (4 allocations and the
    four suggestions). Tests using it must not change what the others rely on."""
    upgrade(module_database_url)
    seed_inputs(module_database_url)
    keys = {
        "admin": create_key(module_database_url, role="admin"),
        "planner": create_key(module_database_url, role="planner", name="pat planner"),
        "analyst": create_key(module_database_url, role="analyst"),
        "warehouse_F1": create_key(module_database_url, role="warehouse", location="F1"),
        "warehouse_R1": create_key(module_database_url, role="warehouse", location="R1"),
    }
    publish_plan(
        module_database_url, allocations=allocation_frame(4), suggestions=suggestion_frame()
    )
    with TestClient(create_app(module_database_url)) as client:
        yield ApiEnv(database_url=module_database_url, client=client, keys=keys)
