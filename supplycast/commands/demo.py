"""`supplycast demo`: build the synthetic sample network, import it and run the daily plan on it.

Thin shell: generate CSVs (`supplycast.sample`), migrate (`storage.migrate.upgrade`), import
(`storage.importing.import_directory`), run the plan (`supplycast.daily_plan.run_plan`) and print
a summary. The database URL comes from the settings (`SUPPLYCAST_DATABASE_URL`). Running it
again re-imports the same rows (upsert) and publishes a new plan version for the same date.
Exit codes: 0 done, 1 the import was rejected or the plan run failed, 2 bad options or another
plan run holds the lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from supplycast.plan_steps.defaults import DAILY_FORECAST_MODELS_OPTION

if TYPE_CHECKING:  # heavy (pandas, rich, the sample generator): imported where they are used
    import pandas as pd
    from rich.console import Console

    from supplycast.sample import SampleConfig, SampleNetwork

TOP_SUGGESTIONS = 8
#: The demo's forecast candidates: the daily plan's default (DAILY_FORECAST_MODELS), one
#: backtest window. AutoETS is better than seasonal naive on some smooth series but costs
#: ~0.2 s of CPU per 730-day series and window (~5 min for the default 1,600 series); add it
#: with --forecast-models.
DEMO_FORECAST_MODELS = DAILY_FORECAST_MODELS_OPTION


@dataclass(frozen=True)
class DemoReport:
    """What the demo did.

    Attributes:
        network: the generated sample.
        directory: where the CSV files are.
        generate_seconds: wall time to generate and write the files.
        imported_rows: rows upserted per kind.
        import_seconds: wall time of the import.
        plan: the plan run summary (`supplycast.daily_plan.PlanRunSummary`), None when the
            plan step was not run (`plan_note` says why).
        plan_note: why the plan did not run, or "".
        suggestions: the published run's suggestions (empty without a plan).
    """

    network: SampleNetwork
    directory: Path
    generate_seconds: float
    imported_rows: dict[str, int]
    import_seconds: float
    plan: Any | None
    plan_note: str
    suggestions: pd.DataFrame


def ensure_sqlite_directory(database_url: str) -> None:
    """Create the folder of a SQLite database file when it does not exist yet."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)


def run_demo(
    directory: Path,
    database_url: str,
    config: SampleConfig,
    *,
    run_plan_step: bool = True,
    plan_options: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Generate the sample into `directory`, migrate and import it into `database_url`, then
    run the daily plan as of the sample's last day (`plan_options`: keyword arguments of
    `supplycast.daily_plan.PlanParameters`, e.g. `forecast_models`). Raises the importer's
    `ImportValidationError` on a rejected import (nothing written) and the plan's
    `PlanRunLockedError` when another run is going on."""
    import pandas as pd

    from storage.db import make_engine
    from storage.importing import import_directory
    from storage.migrate import upgrade
    from supplycast.sample import generate_sample, write_sample

    say = progress or (lambda _message: None)
    started = time.perf_counter()
    say(f"generating the sample network (seed {config.seed}, {config.n_skus} SKUs)")
    network = generate_sample(config)
    write_sample(network, directory)
    generate_seconds = time.perf_counter() - started

    say("migrating the database")
    ensure_sqlite_directory(database_url)
    upgrade(database_url)
    say(f"importing {directory}")
    engine = make_engine(database_url)
    try:
        report = import_directory(engine, directory)
    finally:
        engine.dispose()

    plan, note, suggestions = None, "", pd.DataFrame()
    if not run_plan_step:
        note = "skipped (--no-plan)"
    else:
        from supplycast.daily_plan import PlanParameters, run_plan

        plan = run_plan(
            database_url,
            config.end_date,
            progress=lambda step: say(f"plan step: {step}"),
            parameters=PlanParameters(**(plan_options or {})),
        )
        if plan.status == "published":
            suggestions = _load_suggestions(database_url, plan.run_id)
    return DemoReport(
        network=network,
        directory=directory,
        generate_seconds=generate_seconds,
        imported_rows=dict(report.rows_by_kind),
        import_seconds=report.seconds,
        plan=plan,
        plan_note=note,
        suggestions=suggestions,
    )


def _load_suggestions(database_url: str, run_id: int) -> pd.DataFrame:
    from sqlmodel import Session

    from storage.db import make_engine
    from storage.plan_tables import PlanSuggestion
    from storage.plans import load_result_frame

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return load_result_frame(session, run_id=run_id, table=PlanSuggestion)
    finally:
        engine.dispose()


def top_suggestions(suggestions: pd.DataFrame, items: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The `limit` suggested orders (order_qty > 0) of the highest value (order_qty x unit_cost,
    CNY), ties by sku and location."""
    if suggestions.empty:
        return suggestions
    orders = suggestions[suggestions["order_qty"] > 0].merge(
        items[["sku", "name", "unit_cost"]], on="sku", how="left"
    )
    orders = orders.assign(value=orders["order_qty"] * orders["unit_cost"].fillna(0.0))
    return orders.sort_values(["value", "sku", "location"], ascending=[False, True, True]).head(
        limit
    )


def print_report(report: DemoReport, database_url: str, console: Console) -> None:
    """The demo's summary: counts, the plan run, the top suggestions, where the data is."""
    from rich.table import Table
    from sqlalchemy.engine import make_url

    config = report.network.config
    counts = Table(
        title=f"sample network written to {report.directory} (synthetic, seed {config.seed})"
    )
    counts.add_column("kind")
    counts.add_column("rows", justify="right")
    for kind, frame in report.network.frames.items():
        counts.add_row(kind, f"{len(frame):,}")
    console.print(counts)
    console.print(
        f"{config.n_skus} SKUs x 8 front warehouses, {config.n_days} days of sales "
        f"{config.start_date} .. {config.end_date}; generated in {report.generate_seconds:.1f} s; "
        f"imported {sum(report.imported_rows.values()):,} rows in {report.import_seconds:.1f} s"
    )
    if report.plan is None:
        console.print(f"[yellow]daily plan: {report.plan_note}[/yellow]")
    else:
        plan = report.plan
        steps = Table(
            title=f"plan run {plan.run_id}: as of {plan.as_of}, version {plan.version}, "
            f"status {plan.status}"
        )
        for column in ("step", "status", "seconds", "detail"):
            steps.add_column(column)
        for step in plan.steps:
            steps.add_row(step.name, step.status, f"{step.seconds:.1f}", step.detail[:90])
        console.print(steps)
        if plan.counts:
            console.print("counts: " + ", ".join(f"{k}={v:,}" for k, v in plan.counts.items()))
        if plan.warnings:
            console.print(f"{len(plan.warnings)} warnings, first: {plan.warnings[0]}")
        top = top_suggestions(report.suggestions, report.network.frames["items"], TOP_SUGGESTIONS)
        if len(top):
            table = Table(title="top suggested orders by value (explanations below)")
            for column in ("#", "sku", "name", "location", "order_qty", "value CNY", "flags"):
                table.add_column(column)
            for number, row in enumerate(top.itertuples(index=False), start=1):
                table.add_row(
                    str(number),
                    row.sku,
                    str(row.name),
                    row.location,
                    f"{row.order_qty:,.0f}",
                    f"{row.value:,.0f}",
                    str(row.flags or ""),
                )
            console.print(table)
            for number, row in enumerate(top.itertuples(index=False), start=1):
                console.print(f"{number}. {row.sku} @ {row.location}: {row.explanation}")
    safe_url = make_url(database_url).render_as_string(hide_password=True)
    console.print(f"database: {safe_url}")


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder for the generated CSV files.", file_okay=False)
    ] = Path("demo-output"),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generator.", min=0)] = 42,
    skus: Annotated[int, typer.Option("--skus", help="Number of SKUs (>= 10).", min=10)] = 200,
    days: Annotated[
        int, typer.Option("--days", help="Days of sales history (>= 90).", min=90)
    ] = 730,
    forecast_models: Annotated[
        str,
        typer.Option("--forecast-models", help="Comma-separated forecast candidate models."),
    ] = DEMO_FORECAST_MODELS,
    forecast_windows: Annotated[
        int, typer.Option("--forecast-windows", help="Backtest windows for model choice.", min=1)
    ] = 1,
    route_seconds: Annotated[
        float, typer.Option("--route-seconds", help="Routing time limit per depot, seconds.")
    ] = 5.0,
    no_plan: Annotated[
        bool, typer.Option("--no-plan", help="Generate and import only; skip the daily plan.")
    ] = False,
) -> None:
    """Generate the synthetic sample network, import it and run the daily plan on it."""
    from rich.console import Console

    from storage.importing import ImportValidationError
    from supplycast.daily_plan import PlanRunLockedError
    from supplycast.sample import SampleConfig
    from supplycast.settings import load_settings

    database_url = load_settings().database_url
    config = SampleConfig(seed=seed, n_skus=skus, n_days=days)
    try:
        plan_options = _plan_options(forecast_models, forecast_windows, route_seconds)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    status = Console(stderr=True)
    try:
        report = run_demo(
            directory,
            database_url,
            config,
            run_plan_step=not no_plan,
            plan_options=plan_options,
            progress=lambda message: status.print(f"[dim]{message}[/dim]"),
        )
    except ImportValidationError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(code=1) from None
    except PlanRunLockedError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    print_report(report, database_url, Console())
    if report.plan is not None and report.plan.status != "published":
        typer.echo(f"error: plan run {report.plan.run_id} failed: {report.plan.error}", err=True)
        raise typer.Exit(code=1)


def _plan_options(models: str, windows: int, route_seconds: float) -> dict[str, Any]:
    from supplycast.daily_plan import FleetParameters

    return {
        "forecast_models": tuple(m.strip() for m in models.split(",") if m.strip()),
        "forecast_windows": windows,
        "fleet": FleetParameters(time_limit_seconds=route_seconds),
    }


def register(app: typer.Typer) -> None:
    """Add `demo` and `what-if` (scenarios on the demo's or any imported data) to the root CLI."""
    from supplycast.commands.what_if import what_if

    app.command("demo")(demo)
    app.command("what-if")(what_if)
