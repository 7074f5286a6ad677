"""Data commands: `supplycast db upgrade|current`, `supplycast import`, `supplycast adapt`."""

from __future__ import annotations

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
    upgrade(url, revision)
    typer.echo(f"database at revision {current_revision(url)}")


@db_app.command("current")
def db_current(database_url: DatabaseUrlOption = None) -> None:
    """Print the revision the database is at ('none' when never migrated)."""
    from storage.migrate import current_revision

    typer.echo(current_revision(_database_url(database_url)) or "none")


def register(app: typer.Typer) -> None:
    """Add the data commands to the root `supplycast` app."""
    app.add_typer(db_app, name="db")
