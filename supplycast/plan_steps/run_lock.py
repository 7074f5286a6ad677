"""One plan run at a time per database, also across processes.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated
  connection for the whole run. The key is derived from the current schema, so separate
  schemas (deployments, test schemas) do not block each other. The server releases it when
  the connection ends, also when the process is killed.
- SQLite: an exclusive `fcntl.flock` on the file `<database file>.plan-lock` next to the
  database. The kernel releases it when the process ends, also on `kill -9`. An in-memory
  SQLite database gets a lock file in the temp directory keyed by the process id.

Both are try-locks: a second run fails fast with `PlanRunLockedError` instead of waiting.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from storage.db import is_sqlite

LOCK_NAMESPACE = "supplycast.plan_run"


class PlanRunLockedError(RuntimeError):
    """Another plan run holds the lock for this database."""


def sqlite_lock_path(engine: Engine) -> Path:
    """The lock file of a SQLite database: `<db file>.plan-lock` (temp dir for in-memory)."""
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        return Path(tempfile.gettempdir()) / f"supplycast-memory-{os.getpid()}.plan-lock"
    return Path(database).resolve().with_name(Path(database).name + ".plan-lock")


@contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    path = sqlite_lock_path(engine)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PlanRunLockedError(
                f"another plan run is in progress on this database (lock file {path} is held)"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _postgres_lock(engine: Engine) -> Iterator[None]:
    key_sql = "hashtext(:namespace || ':' || current_schema())"
    with engine.connect() as connection:
        acquired = connection.execute(
            text(f"SELECT pg_try_advisory_lock({key_sql})"), {"namespace": LOCK_NAMESPACE}
        ).scalar_one()
        connection.commit()
        if not acquired:
            raise PlanRunLockedError(
                "another plan run is in progress on this database "
                "(PostgreSQL advisory lock is held)"
            )
        try:
            yield
        finally:
            connection.execute(
                text(f"SELECT pg_advisory_unlock({key_sql})"), {"namespace": LOCK_NAMESPACE}
            )
            connection.commit()


@contextmanager
def plan_run_lock(engine: Engine) -> Iterator[None]:
    """Hold the plan-run lock of `engine`'s database; raise `PlanRunLockedError` if taken."""
    lock = _sqlite_lock if is_sqlite(engine) else _postgres_lock
    with lock(engine):
        yield
