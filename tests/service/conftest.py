"""Fixtures of the daily-plan tests: a migrated database holding the tiny network."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import make_engine
from storage.importing import import_directory
from storage.migrate import upgrade
from supplycast.plan_steps.inputs import FleetParameters, PlanParameters
from tests.service.network import write_network

FAST = PlanParameters(
    forecast_models=("seasonal_naive",),
    forecast_windows=1,
    fleet=FleetParameters(time_limit_seconds=0.5),
)
"""Parameters that keep a pipeline run to a second or two (seasonal naive, short routing)."""


@pytest.fixture
def network_dir(tmp_path: Path) -> Path:
    """The tiny network's CSVs (tests/service/network.py)."""
    return write_network(tmp_path / "network")


def migrated_with_network(database_url: str, network_dir: Path) -> str:
    """Migrate the database at `database_url`, import the network CSVs; returns the URL."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        import_directory(engine, network_dir)
    finally:
        engine.dispose()
    return database_url


@pytest.fixture
def plan_db(database_url: str, network_dir: Path) -> str:
    """URL of a migrated database (SQLite or PostgreSQL) with the tiny network imported."""
    return migrated_with_network(database_url, network_dir)
