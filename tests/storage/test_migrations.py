"""The Alembic migrations apply to an empty database, match the models, and reverse."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel
from typer.testing import CliRunner

import storage.tables  # noqa: F401
from storage.db import make_engine
from storage.migrate import current_revision, downgrade, upgrade
from storage.tables import INPUT_TABLES
from supplycast.cli import app


def test_upgrade_creates_every_input_table_on_an_empty_database(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade(database_url, "0001_inputs")
    assert current_revision(database_url) == "0001_inputs"
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(INPUT_TABLES) <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            input_metadata_diff = [
                d
                for d in compare_metadata(context, SQLModel.metadata)
                if _table_of(d) in INPUT_TABLES
            ]
        assert input_metadata_diff == []
    finally:
        engine.dispose()


def _table_of(diff: object) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item:  # ("add_table", Table) / ("modify_type", schema, table, column, ...)
        name = getattr(part, "name", None)
        if name in INPUT_TABLES:
            return name
        if isinstance(part, str) and part in INPUT_TABLES:
            return part
    return None


def test_upgrade_twice_is_a_no_op_and_downgrade_empties(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    head = current_revision(database_url)
    assert head is not None
    downgrade(database_url, "base")
    assert current_revision(database_url) is None
    engine = make_engine(database_url)
    try:
        assert not set(INPUT_TABLES) & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_command_migrates_to_head(database_url: str) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert current_revision(database_url) is not None
    assert "database at revision" in result.stdout


def test_foreign_keys_are_checked_at_commit(database_url: str) -> None:
    """The safety net under the importer: a dangling reference fails the commit, while a
    forward reference inside one transaction is fine."""
    upgrade(database_url, "0001_inputs")
    engine = make_engine(database_url)
    insert_location = text(
        "INSERT INTO locations (location, name, kind, parent, latitude, longitude) "
        "VALUES (:location, :location, :kind, :parent, 0, 0)"
    )
    try:
        with engine.begin() as connection:  # front before its parent: deferred check passes
            front = {"location": "F", "kind": "front", "parent": "R"}
            regional = {"location": "R", "kind": "regional", "parent": None}
            connection.execute(insert_location, front)
            connection.execute(insert_location, regional)
        with pytest.raises(IntegrityError):
            with engine.begin() as connection:
                connection.execute(
                    insert_location, {"location": "G", "kind": "front", "parent": "NOPE"}
                )
        with engine.connect() as connection:
            names = connection.execute(text("SELECT location FROM locations ORDER BY 1"))
            assert names.scalars().all() == ["F", "R"]
    finally:
        engine.dispose()


def test_head_matches_every_model(database_url: str) -> None:
    """No drift between the migrations at head and the SQLModel tables (inputs, plan results,
    API), column types included."""
    import storage.api_tables  # noqa: F401
    import storage.plan_tables  # noqa: F401

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_suggestion_service_columns_upgrade_old_rows_to_null_and_downgrade(
    database_url: str,
) -> None:
    """A suggestion (and its review) stored at 0003_api survives the upgrade with NULL
    service columns, takes values in them after, and survives the downgrade."""
    upgrade(database_url, "0003_api")
    engine = make_engine(database_url)
    columns = ("service_class", "service_group", "target_fill_rate")
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO plan_runs (id, as_of, version, status, triggered_by, started_at,"
                    " steps, counts, warnings) VALUES (1, '2025-03-10', 1, 'published', 'test',"
                    " '2025-03-10 06:00:00', '{}', '{}', '[]')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO plan_suggestions (id, plan_run_id, sku, location, order_qty,"
                    " flags, explanation, review_status) VALUES (1, 1, 'A', 'F1', 10, '',"
                    " 'Order 10 units.', 'approved')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO suggestion_reviews (suggestion_id, plan_run_id, sku, location,"
                    " action, old_qty, new_qty, reviewed_by, reviewed_at) VALUES (1, 1, 'A',"
                    " 'F1', 'approve', 10, 10, 'pat', '2025-03-10 07:00:00')"
                )
            )
        upgrade(database_url)
        with engine.begin() as connection:
            old = connection.execute(
                text(f"SELECT sku, {', '.join(columns)} FROM plan_suggestions")
            ).all()
            assert [tuple(row) for row in old] == [("A", None, None, None)]
            connection.execute(
                text(
                    "UPDATE plan_suggestions SET service_class = 'BY',"
                    " service_group = 'front B', target_fill_rate = 0.916"
                )
            )
            new = connection.execute(text(f"SELECT {', '.join(columns)} FROM plan_suggestions"))
            assert [tuple(row) for row in new] == [("BY", "front B", 0.916)]
        downgrade(database_url, "0003_api")
        assert not set(columns) & {
            c["name"] for c in inspect(engine).get_columns("plan_suggestions")
        }
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT count(*) FROM suggestion_reviews")).scalar()
            rows = connection.execute(text("SELECT sku, explanation FROM plan_suggestions"))
            assert kept == 1 and [tuple(r) for r in rows] == [("A", "Order 10 units.")]
    finally:
        engine.dispose()
