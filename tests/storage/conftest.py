"""Fixtures of the storage tests: a migrated database and its engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.migrate import upgrade


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database migrated to the input tables (0001_inputs)."""
    upgrade(database_url, "0001_inputs")
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()
