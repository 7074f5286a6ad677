"""Alembic environment: migrates the database given by `storage.migrate` (or `sqlalchemy.url`).

`storage.migrate.upgrade` passes an open connection in `config.attributes["connection"]`, so
no alembic.ini is needed. `target_metadata` is the SQLModel metadata of every table module
that exists: `storage.tables` (inputs) and, when present, `storage.plan_tables` and
`storage.api_tables` (service results). SQLite gets batch mode (`render_as_batch=True`) so
ALTER-style migrations work there too.
"""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the input tables on SQLModel.metadata)
from storage.db import make_engine, normalize_database_url

for _optional in ("storage.plan_tables", "storage.api_tables"):
    try:
        importlib.import_module(_optional)
    except ModuleNotFoundError as exc:
        if exc.name != _optional:
            raise

config = context.config
target_metadata = SQLModel.metadata


def _database_url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: use storage.migrate.upgrade(database_url)")
    return normalize_database_url(url)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (`alembic upgrade --sql`)."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the connection handed over by `storage.migrate`, or a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_database_url())
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
