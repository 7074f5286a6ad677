"""Service commands: `supplycast serve`, `supplycast keys create|revoke|list` and
`supplycast runs list|recover` (plan run history, recovery of interrupted runs)."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from supplycast.commands.common import fail, first_line

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default: SUPPLYCAST_DATABASE_URL or sqlite:///supplycast.db.",
        show_default=False,
    ),
]

keys_app = typer.Typer(help="API keys: create, revoke, list.", no_args_is_help=True)


def _settings(database_url: str | None):  # type: ignore[no-untyped-def]
    """The settings (`--database-url` over `SUPPLYCAST_DATABASE_URL`); a bad `SUPPLYCAST_*`
    setting exits 2 with one `error: bad setting ...` line on stderr, as `supplycast plan`."""
    from pydantic import ValidationError

    from supplycast.commands.plan import settings_problem
    from supplycast.settings import load_settings

    try:
        settings = load_settings()
    except ValidationError as exc:
        _fail(settings_problem(exc), code=2)
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _fail(message: str, *, code: int = 1) -> NoReturn:
    fail([message], code=code, prefix="error: ")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="API only: do not run the daily plan here.")
    ] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Start the HTTP API (uvicorn) and, unless --no-scheduler, the daily plan scheduler.

    First marks runs left `running` by a process that died as failed (unless a plan run is in
    progress), so the run history does not show a dead run as running until the next plan.
    A bad `SUPPLYCAST_*` setting (a value pydantic refuses, a bad cron expression or time
    zone among them, or plan knobs the plan refuses) exits 2 with one `error: ...` line on
    stderr before the database is touched."""
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from api.app import create_app
    from api.scheduler import build_scheduler
    from supplycast.daily_plan import parameters_from_settings, recover_interrupted_runs

    settings = _settings(database_url)
    try:
        parameters = parameters_from_settings(settings)
    except ValueError as exc:
        _fail(f"bad plan setting (SUPPLYCAST_PLAN_*): {first_line(exc)}", code=2)
    scheduler = None
    if not no_scheduler:
        try:
            scheduler = build_scheduler(settings, parameters)
        except ValueError as exc:
            cron, zone = settings.plan_cron, settings.plan_timezone
            _fail(
                f"bad schedule SUPPLYCAST_PLAN_CRON={cron!r} SUPPLYCAST_PLAN_TIMEZONE={zone!r}: "
                + first_line(exc),
                code=2,
            )
    try:
        recovered = recover_interrupted_runs(settings.database_url)
    except SQLAlchemyError as exc:  # unreachable or unmigrated: /healthz will say so
        typer.echo(f"warning: interrupted runs not checked: {first_line(exc, repr(exc))}", err=True)
        recovered = None
    if recovered:
        typer.echo("marked failed (interrupted earlier): run " + ", ".join(map(str, recovered)))
    app = create_app(settings)
    if scheduler is not None:
        scheduler.start()
        typer.echo(f"scheduler: daily plan at '{settings.plan_cron}' ({settings.plan_timezone})")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="planner, analyst, admin or warehouse.")],
    location: Annotated[
        str | None, typer.Option(help="The location a warehouse key reads.", show_default=False)
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Label of the key (default: role[@location]).")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create an API key; the key is printed alone on the last line (and never stored)."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from api.security import generate_api_key, hash_api_key, key_display_prefix
    from storage.api_queries import add_api_key, location_exists
    from storage.db import make_engine

    label = name or (f"{role}@{location}" if location else role)
    engine = make_engine(_settings(database_url).database_url)
    key = generate_api_key()
    try:
        with Session(engine) as session:
            if location and not location_exists(session, location=location):
                _fail(f"unknown location {location!r} (import locations first)")
            row = add_api_key(
                session,
                name=label,
                key_hash=hash_api_key(key),
                key_prefix=key_display_prefix(key),
                role=role,
                location=location,
            )
            session.commit()
            typer.echo(
                f"created key {row.id} '{row.name}' role={row.role}"
                + (f" location={row.location}" if row.location else "")
            )
    except ValueError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(f"database error ({type(exc).__name__}); run `supplycast db upgrade` first?")
    finally:
        engine.dispose()
    typer.echo("store it now, it is not shown again:")
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="Id of the key (see `supplycast keys list`).")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    from sqlmodel import Session

    from storage.api_queries import revoke_api_key
    from storage.db import make_engine

    engine = make_engine(_settings(database_url).database_url)
    try:
        with Session(engine) as session:
            row = revoke_api_key(session, key_id=key_id)
            if row is None:
                _fail(f"no API key with id {key_id}")
            session.commit()
    finally:
        engine.dispose()
    typer.echo(f"revoked key {key_id}")


@keys_app.command("list")
def keys_list(database_url: DatabaseUrlOption = None) -> None:
    """List keys (id, name, role, location, prefix, created, revoked); never the key or hash."""
    from sqlmodel import Session

    from storage.api_queries import list_api_keys
    from storage.db import make_engine

    engine = make_engine(_settings(database_url).database_url)
    try:
        with Session(engine) as session:
            rows = list_api_keys(session)
    finally:
        engine.dispose()
    typer.echo("id\tname\trole\tlocation\tprefix\tcreated_at\trevoked_at")
    for row in rows:
        typer.echo(
            f"{row.id}\t{row.name}\t{row.role}\t{row.location or ''}\t{row.key_prefix}\t"
            f"{row.created_at.isoformat()}\t{row.revoked_at.isoformat() if row.revoked_at else ''}"
        )


runs_app = typer.Typer(help="Plan runs: list the history, recover interrupted runs.")

STATUSES = ("running", "published", "failed")


@runs_app.command("list")
def runs_list(
    limit: Annotated[int, typer.Option(help="Newest runs to show.", min=1, max=10_000)] = 20,
    status: Annotated[
        str | None, typer.Option(help="Only runs with this status: running, published, failed.")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Plan runs, newest first: id, as-of date, version, status, trigger, times, step, error."""
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from storage.api_queries import list_plan_runs
    from storage.db import make_engine

    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"expected one of {', '.join(STATUSES)}, not {status!r}")
    engine = make_engine(_settings(database_url).database_url)
    try:
        with Session(engine) as session:
            runs, total = list_plan_runs(session, status=status, limit=limit)
    except SQLAlchemyError as exc:
        _fail(f"cannot read plan runs: {str(exc).splitlines()[0]} (`supplycast db upgrade`?)")
    finally:
        engine.dispose()
    table = Table(title=f"plan runs: {len(runs)} of {total}, newest first")
    for column in ("id", "as of", "version", "status", "by", "started", "finished", "step"):
        table.add_column(column)
    table.add_column("error", overflow="fold")
    for run in runs:
        table.add_row(
            str(run.id),
            run.as_of.isoformat(),
            str(run.version),
            run.status,
            run.triggered_by,
            f"{run.started_at:%Y-%m-%d %H:%M:%S}",
            f"{run.finished_at:%Y-%m-%d %H:%M:%S}" if run.finished_at else "",
            run.current_step or "",
            (run.error or "").splitlines()[0] if run.error else "",
        )
    Console(width=200).print(table)


@runs_app.command("recover")
def runs_recover(database_url: DatabaseUrlOption = None) -> None:
    """Mark runs left `running` by a dead process as failed and delete their rows (what the
    next plan run does first). Exit 2 when a plan run is in progress."""
    from supplycast.daily_plan import recover_interrupted_runs

    recovered = recover_interrupted_runs(_settings(database_url).database_url)
    if recovered is None:
        typer.echo("error: a plan run is in progress; nothing recovered", err=True)
        raise typer.Exit(code=2)
    if recovered:
        typer.echo("marked failed (interrupted earlier): run " + ", ".join(map(str, recovered)))
    else:
        typer.echo("no interrupted runs")


def register(app: typer.Typer) -> None:
    """Add `serve` and the `keys` and `runs` groups to the root `supplycast` app."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
    app.add_typer(runs_app, name="runs")
