"""`supplycast demo` end to end, and the sample folder through DATA's importer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from storage.db import make_engine
from supplycast.cli import app
from supplycast.commands.demo import ensure_sqlite_directory, top_suggestions
from supplycast.sample import CSV_COLUMNS

SMALL_DEMO = [
    "--skus",
    "10",
    "--days",
    "90",
    "--forecast-models",
    "seasonal_naive",
    "--route-seconds",
    "1",
]


def _table_counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                kind: int(connection.execute(text(f"SELECT COUNT(*) FROM {kind}")).scalar_one())
                for kind in CSV_COLUMNS
            }
    finally:
        engine.dispose()


def _file_counts(directory: Path) -> dict[str, int]:
    return {kind: len(pd.read_csv(directory / f"{kind}.csv")) for kind in CSV_COLUMNS}


def test_sample_folder_imports_cleanly_and_idempotently(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYCAST_DATABASE_URL", database_url)
    directory = tmp_path / "sample"
    args = ["demo", "--dir", str(directory), "--skus", "20", "--days", "180", "--no-plan"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    counts = _table_counts(database_url)
    assert counts == _file_counts(directory)
    assert (counts["items"], counts["locations"], counts["inventory"]) == (20, 10, 20 * 10)
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert _table_counts(database_url) == counts
    assert "skipped (--no-plan)" in second.output


@pytest.mark.slow
def test_demo_runs_the_plan_and_a_second_run_makes_a_new_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("supplycast.daily_plan")
    database_url = f"sqlite:///{tmp_path / 'nested' / 'demo.db'}"
    monkeypatch.setenv("SUPPLYCAST_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    directory = tmp_path / "out"
    first = CliRunner().invoke(app, ["demo", "--dir", str(directory), *SMALL_DEMO])
    assert first.exit_code == 0, first.output
    assert "version 1, status published" in first.output
    assert "top suggested orders" in first.output
    assert f"database: {database_url}" in first.output
    counts = _table_counts(database_url)
    second = CliRunner().invoke(app, ["demo", "--dir", str(directory), *SMALL_DEMO])
    assert second.exit_code == 0, second.output
    assert "version 2, status published" in second.output
    assert _table_counts(database_url) == counts
    engine = make_engine(database_url)
    with engine.connect() as connection:
        runs = connection.execute(
            text("SELECT as_of, version, status FROM plan_runs ORDER BY id")
        ).all()
        suggestions = connection.execute(
            text("SELECT COUNT(*) FROM plan_suggestions WHERE plan_run_id = 2")
        ).scalar_one()
    engine.dispose()
    assert [(str(r[0])[:10], r[1], r[2]) for r in runs] == [
        ("2026-11-21", 1, "published"),
        ("2026-11-21", 2, "published"),
    ]
    assert suggestions == 10 * 10  # every SKU at every site


def test_demo_rejects_bad_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCAST_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "o"), "--skus", "5"])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "o"), "--route-seconds", "0"])
    assert result.exit_code == 2
    assert not (tmp_path / "x.db").exists()


def test_ensure_sqlite_directory_creates_the_parent_only_for_sqlite_files(tmp_path: Path) -> None:
    ensure_sqlite_directory(f"sqlite:///{tmp_path / 'a' / 'b' / 'db.sqlite'}")
    assert (tmp_path / "a" / "b").is_dir() and not (tmp_path / "a" / "b" / "db.sqlite").exists()
    ensure_sqlite_directory("sqlite://")  # in memory: nothing to create
    ensure_sqlite_directory("postgresql://postgres@127.0.0.1:5432/test")


def test_top_suggestions_ranks_orders_by_value() -> None:
    items = pd.DataFrame(
        {"sku": ["A", "B", "C"], "name": ["a", "b", "c"], "unit_cost": [10.0, 2.0, 100.0]}
    )
    suggestions = pd.DataFrame(
        {
            "sku": ["A", "B", "C", "A"],
            "location": ["F1", "F1", "F1", "F2"],
            "order_qty": [3.0, 50.0, 0.0, 12.0],
            "explanation": ["x"] * 4,
        }
    )
    top = top_suggestions(suggestions, items, limit=2)
    # values: A@F1 30, B@F1 100, C@F1 no order, A@F2 120
    assert list(zip(top["sku"], top["location"], strict=True)) == [("A", "F2"), ("B", "F1")]
    assert list(top["value"]) == [120.0, 100.0]
