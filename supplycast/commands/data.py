"""Data commands: `supplycast db upgrade|current`, `import`, `export`, `adapt walmart`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default: SUPPLYCAST_DATABASE_URL or sqlite:///supplycast.db.",
        show_default=False,
    ),
]


@contextmanager
def _database_errors_as_exit(url: str) -> Iterator[None]:
    """Turn "cannot open / connect to the database" into one stderr line and exit code 1."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        typer.echo(f"{shown}: cannot use the database: {reason}", err=True)
        raise typer.Exit(1) from None


def _database_url(option: str | None) -> str:
    if option:
        return option
    from supplycast.settings import load_settings

    return load_settings().database_url


db_app = typer.Typer(help="Database schema: migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create or migrate the database schema up to REVISION (default: the newest)."""
    from storage.migrate import current_revision, upgrade

    url = _database_url(database_url)
    with _database_errors_as_exit(url):
        upgrade(url, revision)
        typer.echo(f"database at revision {current_revision(url)}")


@db_app.command("current")
def db_current(database_url: DatabaseUrlOption = None) -> None:
    """Print the revision the database is at ('none' when never migrated)."""
    from storage.migrate import current_revision

    url = _database_url(database_url)
    with _database_errors_as_exit(url):
        typer.echo(current_revision(url) or "none")


IMPORT_HELP = (
    "Validate and import input CSVs: `import DIR` or `import KIND FILE`.\n\n"
    "Everything is validated first. On any problem, every problem is printed to stderr as "
    "file:line:column: message, nothing is written and the exit code is 1. A valid import "
    "is one transaction that upserts on each kind's natural key. The schema is migrated "
    "first. Formats: docs/data-formats.md."
)


def import_command(
    target: Annotated[
        str, typer.Argument(help="A directory of <kind>.csv files, or a KIND when FILE is given.")
    ],
    file: Annotated[
        Path | None,
        typer.Argument(help="The CSV file of KIND.", exists=True, dir_okay=False),
    ] = None,
    database_url: DatabaseUrlOption = None,
    check: Annotated[bool, typer.Option("--check", help="Only validate; write nothing.")] = False,
) -> None:
    """Validate and import input CSVs: `import DIR` or `import KIND FILE`.

    Everything is validated first; on any problem every problem is printed to stderr as
    file:line:column: message, nothing is written and the exit code is 1. A valid import is
    one transaction that upserts on each kind's natural key. The schema is migrated first.
    """
    from storage.db import make_engine
    from storage.importing import (
        KINDS,
        ImportValidationError,
        import_directory,
        import_kind,
    )
    from storage.migrate import upgrade

    if file is None and not Path(target).is_dir():
        typer.echo(f"{target}: not a directory (or give KIND FILE)", err=True)
        raise typer.Exit(2)
    if file is not None and target not in KINDS:
        typer.echo(f"{target}: unknown kind (use one of {', '.join(KINDS)})", err=True)
        raise typer.Exit(2)
    url = _database_url(database_url)
    with _database_errors_as_exit(url):
        upgrade(url)
    engine = make_engine(url)
    try:
        with _database_errors_as_exit(url):
            if file is None:
                report = import_directory(engine, target, dry_run=check)
            else:
                report = import_kind(engine, target, file, dry_run=check)
    except ImportValidationError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s); nothing was imported", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    for kind, rows in report.rows_by_kind.items():
        typer.echo(f"{kind}: {rows} rows from {report.files[kind]}")
    for ignored in report.ignored_files:
        typer.echo(f"ignored {ignored}: not <kind>.csv of a known kind", err=True)
    if check:
        typer.echo(f"valid: {report.total_rows} rows checked, nothing written")
    else:
        typer.echo(f"imported {report.total_rows} rows in {report.seconds:.2f} s")


def export_command(
    kind: Annotated[str, typer.Argument(help="The kind to export, e.g. sales.")],
    file: Annotated[Path, typer.Argument(help="CSV file to write.", dir_okay=False)],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Write the stored rows of KIND to FILE in its import format (docs/data-formats.md)."""
    from storage.db import make_engine
    from storage.importing import KINDS
    from storage.importing.export import export_kind

    if kind not in KINDS:
        typer.echo(f"{kind}: unknown kind (use one of {', '.join(KINDS)})", err=True)
        raise typer.Exit(2)
    url = _database_url(database_url)
    engine = make_engine(url)
    try:
        with _database_errors_as_exit(url):
            rows = export_kind(engine, kind, file)
    finally:
        engine.dispose()
    typer.echo(f"{kind}: {rows} rows -> {file}")


adapt_app = typer.Typer(
    help="Convert public data sets into supplycast's CSV formats.", no_args_is_help=True
)


@adapt_app.command("walmart")
def adapt_walmart_command(
    source_dir: Annotated[
        Path,
        typer.Argument(
            help="walmart_store_sales folder (train.csv.gz, stores.csv, ...).",
            exists=True,
            file_okay=False,
        ),
    ],
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the CSV files into.")],
) -> None:
    """Write items, locations, sales and weather CSVs from the Kaggle Walmart data."""
    from storage.importing.walmart import adapt_walmart

    for kind, rows in adapt_walmart(source_dir, out_dir).items():
        typer.echo(f"{kind}: {rows} rows -> {out_dir / (kind + '.csv')}")


def register(app: typer.Typer) -> None:
    """Add the data commands to the root `supplycast` app."""
    app.add_typer(db_app, name="db")
    app.command("import", help=IMPORT_HELP)(import_command)
    app.command("export")(export_command)
    app.add_typer(adapt_app, name="adapt")
