"""`make_engine` connection pool sizing and the `SUPPLYCAST_DATABASE_POOL_SIZE` setting."""

from __future__ import annotations

import contextlib

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from storage.db import make_engine
from supplycast.settings import Settings
from tests.conftest import postgres_schema_url


@pytest.mark.postgres
def test_postgres_pool_keeps_pool_size_and_bursts_to_three_times_it() -> None:
    with postgres_schema_url() as url:
        engine = make_engine(url, pool_size=3)
        try:
            pool = engine.pool
            assert isinstance(pool, QueuePool)
            assert pool.size() == 3
            with contextlib.ExitStack() as stack:
                connections = [stack.enter_context(engine.connect()) for _ in range(9)]
                assert [c.execute(text("SELECT 1")).scalar_one() for c in connections] == [1] * 9
                assert pool.checkedout() == 9
            # the 6 burst connections are closed on return; 3 stay open for the next request
            assert pool.checkedin() == 3
        finally:
            engine.dispose()


def test_pool_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="pool_size must be at least 1, not 0"):
        make_engine("sqlite://", pool_size=0)


def test_pool_size_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCAST_DATABASE_POOL_SIZE", "7")
    assert Settings().database_pool_size == 7
    monkeypatch.setenv("SUPPLYCAST_DATABASE_POOL_SIZE", "0")
    with pytest.raises(ValidationError, match="database_pool_size"):
        Settings()
