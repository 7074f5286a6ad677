"""Engine creation for SQLite and PostgreSQL from one URL."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine


def normalize_database_url(url: str) -> str:
    """Return `url` with an explicit driver: `postgresql://` becomes `postgresql+psycopg://`.

    psycopg 3 is the PostgreSQL driver this project installs; SQLAlchemy's default for a bare
    `postgresql://` URL would be psycopg2.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    """True when `engine` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """Create an engine for `url` (SQLite file or PostgreSQL).

    SQLite gets foreign keys switched on, WAL journaling and a busy timeout so that the
    API and a plan run can share the file. PostgreSQL keeps up to `pool_size` idle
    connections (and opens up to twice as many more under a burst); connections are checked
    with a ping when taken from the pool, so a database restart costs no failed request.
    """
    if pool_size < 1:
        raise ValueError(f"pool_size must be at least 1, not {pool_size}")
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=pool_size, max_overflow=2 * pool_size
    )
