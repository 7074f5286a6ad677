"""Shared fixtures: a fresh database on SQLite and, when reachable, on PostgreSQL.

Each test that asks for `database_url` runs twice: once on a SQLite file in its tmp dir
and once in a new PostgreSQL schema (dropped afterwards), so code that commits its own
transactions can be tested on both without touching another test's rows.
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
SHARED_DATA_DIR = SHARED_DIR / "data"
POSTGRES_URL = os.environ.get(
    "SUPPLYCAST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@functools.cache
def postgres_reachable() -> bool:
    """True when the test PostgreSQL answers within 3 seconds."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@contextlib.contextmanager
def postgres_schema_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL schema on the test server, dropped on exit; the calling
    test is skipped when the server does not answer."""
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield _with_search_path(POSTGRES_URL, schema)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database (no tables yet): SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def shared_data_dir() -> Path:
    """`../shared/data`; the test is skipped when that folder is absent."""
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA_DIR


@pytest.fixture
def shared_inventory_dir() -> Path:
    """`../shared/inventory`; the test is skipped when that folder is absent."""
    path = SHARED_DIR / "inventory"
    if not path.is_dir():
        pytest.skip("../shared/inventory is absent")
    return path
