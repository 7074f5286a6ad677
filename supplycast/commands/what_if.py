"""`supplycast what-if`: run a what-if scenario on the database's inputs and compare with the plan.

Thin shell: parse the changes, load the planning inputs as of a date
(`supplycast.plan_steps.inputs.load_planning_inputs`), run `scenarios.run_scenario` (pure; it
saves nothing) and print the totals and the suggestions that changed most. Exit codes: 0 done,
1 the scenario could not be planned, 2 bad options.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from supplycast.plan_steps.defaults import DAILY_FORECAST_MODELS_OPTION

if TYPE_CHECKING:  # heavy (pandas, the scenarios package): imported where they are used
    import pandas as pd

    from scenarios.changes import Change

#: The daily plan's default set.
FAST_MODELS = DAILY_FORECAST_MODELS_OPTION


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{option}: not an ISO date (YYYY-MM-DD): {text!r}") from None


def _number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise typer.BadParameter(f"{option}: not a number: {text!r}") from None


def parse_changes(
    promotions: list[str], heat_waves: list[str], delays: list[str], down: list[str]
) -> tuple[Change, ...]:
    """Changes from the option strings (formats in the option help); BadParameter if malformed,
    ValueError from the change itself if a value is out of range."""
    from scenarios.changes import AddPromotion, HeatWave, SupplierDelay, WarehouseOutage

    changes: list[Change] = []
    for text in promotions:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) not in (4, 5):
            raise typer.BadParameter(f"--promotion wants SKU,START,END,PCT[,LOCATION]: {text!r}")
        changes.append(
            AddPromotion(
                parts[0],
                _date(parts[1], "--promotion"),
                _date(parts[2], "--promotion"),
                _number(parts[3], "--promotion"),
                parts[4] if len(parts) == 5 and parts[4] else None,
            )
        )
    for text in heat_waves:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) < 3:
            raise typer.BadParameter(f"--heat-wave wants START,END,DEGREES[,LOC...]: {text!r}")
        changes.append(
            HeatWave(
                _date(parts[0], "--heat-wave"),
                _date(parts[1], "--heat-wave"),
                _number(parts[2], "--heat-wave"),
                tuple(p for p in parts[3:] if p),
            )
        )
    for text in delays:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 2 or not parts[1].lstrip("-").isdigit():
            raise typer.BadParameter(f"--supplier-delay wants SUPPLIER,DAYS: {text!r}")
        changes.append(SupplierDelay(parts[0], int(parts[1])))
    changes.extend(WarehouseOutage(location.strip()) for location in down)
    return tuple(changes)


def biggest_changes(suggestions: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Rows whose order quantity or order-up-to level changed, largest |order change| first,
    then largest |order-up-to change|."""
    up_to = (suggestions["scenario_order_up_to"] - suggestions["base_order_up_to"]).fillna(0.0)
    frame = suggestions.assign(delta_order_up_to=up_to)
    changed = frame[(frame["delta_order_qty"] != 0) | (frame["delta_order_up_to"].abs() > 1e-9)]
    order = changed.assign(
        _a=-changed["delta_order_qty"].abs(), _b=-changed["delta_order_up_to"].abs()
    ).sort_values(["_a", "_b", "sku", "location"])
    return order.drop(columns=["_a", "_b"]).head(limit)


def what_if(
    promotion: Annotated[
        list[str] | None,
        typer.Option(help="SKU,START,END,PCT[,LOCATION]: add a promotion (repeatable)."),
    ] = None,
    heat_wave: Annotated[
        list[str] | None,
        typer.Option(help="START,END,DEGREES[,LOCATION...]: warmer weather (repeatable)."),
    ] = None,
    supplier_delay: Annotated[
        list[str] | None,
        typer.Option(help="SUPPLIER,DAYS: longer lead time, later open orders (repeatable)."),
    ] = None,
    down: Annotated[
        list[str] | None, typer.Option(help="LOCATION that is down (repeatable).")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="As-of date (default: last sales date).")
    ] = None,
    horizon_days: Annotated[int, typer.Option("--horizon", help="Forecast horizon, days.")] = 28,
    forecast_models: Annotated[
        str, typer.Option("--forecast-models", help="Comma-separated forecast candidates.")
    ] = FAST_MODELS,
    top: Annotated[int, typer.Option("--top", help="Changed suggestions to show.", min=0)] = 15,
) -> None:
    """Plan a what-if scenario on the database's inputs and compare it with the unchanged plan
    (nothing is saved)."""
    from scenarios.run import Scenario, run_scenario
    from storage.db import make_engine
    from supplycast.plan_steps.inputs import (
        PlanParameters,
        latest_sales_date,
        load_planning_inputs,
    )
    from supplycast.settings import load_settings

    try:
        changes = parse_changes(promotion or [], heat_wave or [], supplier_delay or [], down or [])
        if not changes:
            raise typer.BadParameter("give at least one change (see --help)")
        models = tuple(m.strip() for m in forecast_models.split(",") if m.strip())
        parameters = PlanParameters(
            horizon_days=horizon_days, forecast_models=models, forecast_windows=1
        )
    except (typer.BadParameter, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None

    engine = make_engine(load_settings().database_url)
    try:
        as_of = _date(date, "--date") if date else latest_sales_date(engine)
        if as_of is None:
            typer.echo("error: no sales in the database: import data first", err=True)
            raise typer.Exit(code=1)
        inputs = load_planning_inputs(engine, as_of, parameters)
    finally:
        engine.dispose()
    scenario = Scenario("what-if", changes)
    try:
        comparison = run_scenario(inputs, parameters, scenario)
    except (ValueError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    _print(comparison, as_of, top)


def _print(comparison: Any, as_of: dt.date, top: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"as of {as_of}: {comparison.scenario.describe()} (not saved)")
    totals = Table(title="totals: base plan vs scenario")
    for column in ("measure", "base", "scenario", "delta"):
        totals.add_column(column, justify="right" if column != "measure" else "left")
    for row in comparison.totals.itertuples(index=False):
        totals.add_row(
            row.measure, f"{row.base:,.1f}", f"{row.scenario:,.1f}", f"{row.delta:+,.1f}"
        )
    console.print(totals)
    changed = biggest_changes(comparison.suggestions, top)
    if not len(changed):
        console.print("no suggestion changed")
        return
    table = Table(title=f"suggestions that changed most (top {len(changed)})")
    for column in ("sku", "location", "order base", "order scenario", "up-to base", "up-to scen."):
        table.add_column(column)
    for row in changed.itertuples(index=False):
        table.add_row(
            row.sku,
            row.location,
            f"{row.base_order_qty:,.0f}",
            f"{row.scenario_order_qty:,.0f}",
            f"{row.base_order_up_to:,.1f}",
            f"{row.scenario_order_up_to:,.1f}",
        )
    console.print(table)
    for warning in comparison.changed.warnings:
        console.print(f"warning: {warning}")
