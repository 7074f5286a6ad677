"""`supplycast allocate`: optimal stock allocation from CSV files (issue 5).

Thin shell: read A/N/L(/K/LOC) CSVs, call warehouses.allocation.allocate_stock, write X.csv
(and S.json). Input problems are printed as `file:line:column: message`, one per line, on
stderr with exit code 1; nothing is written then.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from supplycast.commands.common import (
    CommandInputError,
    fail,
    read_csv_checked,
    written_atomically,
)


def _read_csv(path: Path) -> object:
    try:
        return read_csv_checked(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except CommandInputError as exc:
        fail(exc.problems)


def _write_atomically(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file in the same directory."""
    with written_atomically(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")


def allocate_command(
    stock: Annotated[
        Path,
        typer.Option("--stock", exists=True, dir_okay=False, help="A.csv: sku,location,available"),
    ],
    needs: Annotated[
        Path,
        typer.Option(
            "--needs", exists=True, dir_okay=False, help="N.csv: sku,location,need,shortage_cost"
        ),
    ],
    lanes: Annotated[
        Path,
        typer.Option(
            "--lanes",
            exists=True,
            dir_okay=False,
            help="L.csv: origin,destination,cost_per_unit,capacity_units (blank = unlimited),"
            "transit_days",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", dir_okay=False, help="X.csv to write: sku,origin,destination,units"),
    ],
    capacity: Annotated[
        Path | None,
        typer.Option(
            "--capacity", exists=True, dir_okay=False, help="K.csv: location,free_capacity_units"
        ),
    ] = None,
    locations: Annotated[
        Path | None,
        typer.Option(
            "--locations",
            exists=True,
            dir_okay=False,
            help="LOC.csv (locations.csv of the data formats; kind, parent, backup)",
        ),
    ] = None,
    down: Annotated[
        str | None,
        typer.Option(
            "--down", help="Comma-separated sites marked down, e.g. LOC1,LOC2 (needs --locations)."
        ),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option(
            "--summary",
            dir_okay=False,
            help="S.json to write: status, objective, transport_cost, shortage_units, "
            "shortage_cost, best_bound, seconds",
        ),
    ] = None,
    fairness_max_gap: Annotated[
        float | None,
        typer.Option(
            "--fairness-max-gap",
            min=0.0,
            max=1.0,
            help="Fairness mode: each front's fill ratio of a sku at least the sku's overall fill "
            "ratio minus this fraction (less one unit of rounding).",
        ),
    ] = None,
    min_shipment_units: Annotated[
        int,
        typer.Option(
            "--min-shipment-units",
            min=0,
            help="A lane carries nothing or at least this many units (all skus together).",
        ),
    ] = 0,
    time_limit_seconds: Annotated[
        float, typer.Option("--time-limit-seconds", help="Solver time limit per solve, seconds.")
    ] = 60.0,
    mip_solver: Annotated[
        str, typer.Option("--mip-solver", help="OR-Tools MIP backend: highs or sat (CP-SAT).")
    ] = "highs",
) -> None:
    """Allocate regional and surplus stock to front-site needs at minimum cost (proven optimal).

    Minimizes transport cost plus shortage cost under stock, lane and site capacities; see
    docs/allocation.md for the model and options. Writes X.csv (rows with units > 0).
    """
    from warehouses.allocation import AllocationInputError, AllocationOptions, allocate_stock

    try:
        options = AllocationOptions(
            fairness_max_gap=fairness_max_gap,
            min_shipment_units=min_shipment_units,
            time_limit_seconds=time_limit_seconds,
            mip_solver=mip_solver,
        )
    except ValueError as exc:
        typer.echo(f"invalid option: {exc}", err=True)
        raise typer.Exit(2) from None
    files = {
        "stock": stock,
        "needs": needs,
        "lanes": lanes,
        "capacity": capacity,
        "locations": locations,
    }
    frames = {name: _read_csv(path) if path is not None else None for name, path in files.items()}
    down_sites = tuple(site.strip() for site in (down or "").split(",") if site.strip())
    try:
        result = allocate_stock(
            frames["stock"],
            frames["needs"],
            frames["lanes"],
            capacity=frames["capacity"],
            locations=frames["locations"],
            down=down_sites,
            options=options,
        )
    except AllocationInputError as exc:
        for problem in exc.problems:
            path = files.get(problem.frame)
            if path is None:
                typer.echo(f"--{problem.frame}: {problem.message}", err=True)
                continue
            line = "" if problem.row is None else str(problem.row + 2)
            typer.echo(f"{path}:{line}:{problem.column or ''}: {problem.message}", err=True)
        raise typer.Exit(1) from None
    except RuntimeError as exc:
        typer.echo(f"allocation failed: {exc}", err=True)
        raise typer.Exit(1) from None
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    _write_atomically(out, result.shipments.to_csv(index=False))
    if summary is not None:
        _write_atomically(summary, json.dumps(result.summary.to_json_dict(), indent=2) + "\n")
    info = result.summary
    typer.echo(
        f"{info.status}: objective {info.objective:.2f} (transport {info.transport_cost:.2f}, "
        f"shortage {info.shortage_units} units / {info.shortage_cost:.2f}), bound "
        f"{info.best_bound:.2f}, {len(result.shipments)} shipments, {info.seconds:.2f} s "
        f"[{info.solver}] -> {out}"
    )


def register(app: typer.Typer) -> None:
    """Add `allocate` to the root CLI."""
    app.command("allocate")(allocate_command)
