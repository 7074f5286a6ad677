"""`supplycast plan [--date D]`: run the daily plan once, with a progress bar per step.

Thin shell over `supplycast.daily_plan.run_plan`; the database URL comes from the settings
(`SUPPLYCAST_DATABASE_URL`). Exit codes: 0 published, 1 the run failed (the previous plan stays
served), 2 another run holds the lock, or bad options (a bad service target, a bad
`SUPPLYCAST_*` setting: one line naming it).
"""

from __future__ import annotations

import datetime as dt
import signal
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from supplycast.commands.common import first_line

if TYPE_CHECKING:
    from pydantic import ValidationError


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date (YYYY-MM-DD): {value!r}") from None


def settings_problem(exc: ValidationError) -> str:
    """One line naming the first bad setting of a pydantic `ValidationError` and why."""
    errors = exc.errors()
    if not errors:
        return f"bad settings: {first_line(exc, repr(exc))}"
    first = errors[0]
    names = [str(part) for part in first.get("loc", ()) if part]
    where = f"SUPPLYCAST_{names[0].upper()}" if names else "SUPPLYCAST_* settings"
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return f"bad setting {where}: {message}"


def plan(
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="As-of date YYYY-MM-DD (data through D; acts on D+1). Default: last sales date.",
        ),
    ] = None,
    horizon_days: Annotated[int, typer.Option("--horizon", help="Forecast horizon, days.")] = 28,
    service_level: Annotated[
        float, typer.Option("--service-level", help="Target fill rate, fraction 0-1.")
    ] = 0.95,
    service_targets: Annotated[
        str | None,
        typer.Option(
            "--service-targets",
            help="Fill rate per ABC/XYZ class, e.g. A:0.98,B:0.95,C:0.90 (keys A/B/C, X/Y/Z "
            "or pairs such as AX); classes without a key keep --service-level.",
        ),
    ] = None,
    service_targeting: Annotated[
        str,
        typer.Option(
            "--service-targeting",
            help="group: a class target is the aggregate fill rate of the class's demand "
            "(less stock); item: every item of the class at the target.",
        ),
    ] = "group",
    min_fill_rate: Annotated[
        float | None,
        typer.Option(
            "--min-fill-rate",
            help="Floor on an item's fill rate inside a class group (group targeting).",
        ),
    ] = None,
    forecast_models: Annotated[
        str | None,
        typer.Option(
            "--forecast-models",
            help="Comma-separated forecast candidates (default: "
            "seasonal_naive,croston_optimized,tsb,lightgbm); 'all' = every candidate of each "
            "demand class (slow).",
        ),
    ] = None,
    forecast_windows: Annotated[
        int | None,
        typer.Option("--forecast-windows", help="Backtest windows for model choice (default 1)."),
    ] = None,
    forecast_shrinkage: Annotated[
        float | None,
        typer.Option(
            "--forecast-shrinkage",
            help="Selection shrinkage of the model choice, a fraction in [0, 1]: 0 = each series "
            "on its own backtest, 1 = one model per candidate group (default: the core's 0.5).",
        ),
    ] = None,
    route_seconds: Annotated[
        float,
        typer.Option("--route-seconds", help="Routing time limit per shipping site, seconds."),
    ] = 5.0,
    route_seconds_per_stop: Annotated[
        float,
        typer.Option(
            "--route-seconds-per-stop",
            help="Routing seconds per stop (at least 1 s a site, at most --route-seconds).",
        ),
    ] = 0.5,
    down: Annotated[
        str | None, typer.Option("--down", help="Comma-separated sites that are down today.")
    ] = None,
) -> None:
    """Run the daily plan (load -> forecast -> replenish -> allocate -> route -> publish)."""
    from pydantic import ValidationError
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table
    from sqlalchemy.exc import SQLAlchemyError

    from supplycast.daily_plan import (
        STEP_NAMES,
        FleetParameters,
        PlanRunLockedError,
        plan_parameters,
        run_plan,
    )
    from supplycast.plan_steps.service_targets import parse_service_targets
    from supplycast.settings import load_settings

    as_of = _parse_date(date)
    try:
        parameters = plan_parameters(
            forecast_models,
            forecast_windows,
            horizon_days=horizon_days,
            service_level=service_level,
            service_targets=parse_service_targets(service_targets),
            service_targeting=service_targeting.strip().lower(),
            min_fill_rate=min_fill_rate,
            forecast_selection_shrinkage=forecast_shrinkage,
            down_locations=tuple(s.strip() for s in down.split(",") if s.strip()) if down else (),
            fleet=FleetParameters(
                time_limit_seconds=route_seconds, seconds_per_stop=route_seconds_per_stop
            ),
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    try:
        settings = load_settings()
    except ValidationError as exc:
        typer.echo(f"error: {settings_problem(exc)}", err=True)
        raise typer.Exit(code=2) from None
    # SIGTERM (e.g. `timeout`, a supervisor stopping us) becomes SystemExit, so the run is
    # marked failed and its rows removed before exiting; SIGKILL is left to stale recovery.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("starting", total=len(STEP_NAMES))

        def progress(step: str) -> None:
            bar.update(task, description=step, completed=STEP_NAMES.index(step))

        try:
            summary = run_plan(
                settings.database_url, as_of, progress=progress, parameters=parameters
            )
        except PlanRunLockedError as exc:
            bar.update(task, description="locked")
            refused: str | None = str(exc)
            code = 2
        except SQLAlchemyError as exc:  # before any run row exists: unreachable or unmigrated
            bar.update(task, description="no database")
            refused = (
                f"database error: {first_line(exc, repr(exc))} "
                "(is the database reachable and migrated? `supplycast db upgrade`)"
            )
            code = 1
        else:
            refused = None
            bar.update(task, description=summary.status, completed=len(STEP_NAMES))
    if refused is not None:  # after the bar's last render, so the error is the last line
        typer.echo(f"error: {refused}", err=True)
        raise typer.Exit(code=code)

    table = Table(
        title=f"plan run {summary.run_id}: as of {summary.as_of}, version {summary.version}"
    )
    for column in ("step", "status", "seconds", "detail"):
        table.add_column(column)
    for step in summary.steps:
        table.add_row(step.name, step.status, f"{step.seconds:.2f}", step.detail)
    out = Console()
    out.print(table)
    if summary.counts:
        out.print("counts: " + ", ".join(f"{k}={v}" for k, v in summary.counts.items()))
    for warning in summary.warnings:
        out.print(f"warning: {warning}")
    if summary.recovered_run_ids:
        ids = ", ".join(str(i) for i in summary.recovered_run_ids)
        out.print(f"marked failed (interrupted earlier): run {ids}")
    if summary.status != "published":
        typer.echo(f"error: plan run {summary.run_id} failed: {summary.error}", err=True)
        raise typer.Exit(code=1)
    out.print(
        f"published plan run {summary.run_id} (as of {summary.as_of}, version {summary.version})"
    )


def register(app: typer.Typer) -> None:
    """Add `plan` to the root CLI."""
    app.command("plan")(plan)
