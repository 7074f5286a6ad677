"""`supplycast import` exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import text
from typer.testing import CliRunner

from storage.db import make_engine
from supplycast.cli import app
from tests.storage.files import VALID_FILES, write_files


def _sales_count(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM sales")).scalar_one()
    finally:
        engine.dispose()


def test_import_directory_then_one_kind(database_url: str, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "in", VALID_FILES)
    (folder / "stock.csv").write_text("sku,units\nA,1\n")
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(folder), "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert f"sales: 3 rows from {folder / 'sales.csv'}" in result.stdout
    assert "imported 21 rows" in result.stdout
    assert result.stderr == f"ignored {folder / 'stock.csv'}: not <kind>.csv of a known kind\n"
    extra = tmp_path / "more_sales.csv"
    extra.write_text("sku,location,date,units\nB,F1,2026-01-03,2\n")
    result = runner.invoke(app, ["import", "sales", str(extra), "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert _sales_count(database_url) == 4


def test_invalid_import_exits_1_with_every_problem_on_stderr(
    database_url: str, tmp_path: Path
) -> None:
    files = dict(VALID_FILES)
    files["sales"] = "sku,location,date,units\nA,F1,2026-01-01,x\nQ,F1,2026-01-02,1\n"
    folder = write_files(tmp_path / "in", files)
    result = CliRunner().invoke(app, ["import", str(folder), "--database-url", database_url])
    assert result.exit_code == 1
    sales = folder / "sales.csv"
    assert result.stderr.splitlines() == [
        f"{sales}:2:units: not a number: 'x'",
        f"{sales}:3:sku: unknown sku 'Q'",
        "2 problem(s); nothing was imported",
    ]
    assert _sales_count(database_url) == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    runner = CliRunner()
    not_dir = runner.invoke(app, ["import", str(tmp_path / "nope"), "--database-url", url])
    assert not_dir.exit_code == 2
    assert "not a directory" in not_dir.stderr
    some_file = tmp_path / "f.csv"
    some_file.write_text("a\n")
    bad_kind = runner.invoke(app, ["import", "stock", str(some_file), "--database-url", url])
    assert bad_kind.exit_code == 2
    assert bad_kind.stderr.startswith("stock: unknown kind (use one of items, locations,")


def test_check_only_validates(database_url: str, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "in", VALID_FILES)
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(folder), "--check", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "valid: 21 rows checked, nothing written" in result.stdout
    assert _sales_count(database_url) == 0
    (folder / "sales.csv").write_text("sku,location,date,units\nA,F1,2026-01-01,\n")
    result = runner.invoke(app, ["import", str(folder), "--check", "--database-url", database_url])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{folder / 'sales.csv'}:2:units: a value is required"


def test_unusable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    result = CliRunner().invoke(app, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 1
    assert result.stderr == f"{url}: cannot use the database: unable to open database file\n"


def test_export_then_import_elsewhere_gives_the_same_rows(
    database_url: str, tmp_path: Path
) -> None:
    from storage.frames import load_frame
    from storage.importing import KINDS

    runner = CliRunner()
    folder = write_files(tmp_path / "in", VALID_FILES)
    assert (
        runner.invoke(app, ["import", str(folder), "--database-url", database_url]).exit_code == 0
    )
    exported = tmp_path / "out"
    exported.mkdir()
    for kind in KINDS:
        result = runner.invoke(
            app, ["export", kind, str(exported / f"{kind}.csv"), "--database-url", database_url]
        )
        assert result.exit_code == 0, result.output
    assert (exported / "promotions.csv").read_text().splitlines() == [
        "sku,location,start_date,end_date,discount_pct",
        "A,,2026-02-01,2026-02-07,20.0",
        "A,F1,2026-02-01,2026-02-03,25.0",
    ]
    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    result = runner.invoke(app, ["import", str(exported), "--database-url", copy_url])
    assert result.exit_code == 0, result.output
    source, copy = make_engine(database_url), make_engine(copy_url)
    try:
        for kind in KINDS:
            pd.testing.assert_frame_equal(load_frame(copy, kind), load_frame(source, kind))
    finally:
        source.dispose()
        copy.dispose()
