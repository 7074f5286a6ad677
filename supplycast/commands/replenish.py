"""Replenishment commands: `supplycast replenish` and `supplycast simulate` (thin shells)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

STRING_COLUMNS = ("sku", "location", "model", "order_days", "service_type", "policy_type")


class CommandInputError(Exception):
    """Problems found by a shell before or while calling a core; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV with sku/location (and other text columns) read as strings; clear errors."""
    if not path.is_file():
        raise CommandInputError([f"{path}: file not found"])
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    try:
        header = pd.read_csv(path, nrows=0).columns
        types = {c: pa.string() for c in STRING_COLUMNS if c in header}
        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types=types))
        return table.to_pandas()
    except (ValueError, pa.ArrowException, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CommandInputError([f"{path}: cannot read CSV: {first}"]) from exc


def relabel(problems: list[str], names: dict[str, Path]) -> list[str]:
    """Replace the core's frame names ('policy row 3 ...') by the file path."""
    out = []
    for problem in problems:
        for name, path in names.items():
            if problem.startswith(name + " ") or problem.startswith(name + ":"):
                problem = str(path) + problem[len(name):]
                break
        out.append(problem)
    return out


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise CommandInputError([f"{option}: '{value}' is not a date (YYYY-MM-DD)"]) from exc


def fail(problems: list[str]) -> None:
    for problem in problems:
        typer.echo(problem, err=True)
    raise typer.Exit(code=1)


def replenish(
    forecasts: Annotated[Path, typer.Option("--forecasts", help="F.csv: sku,location,date,mean,pNN,...,model.")],
    inventory: Annotated[Path, typer.Option("--inventory", help="I.csv: sku,location,on_hand[,on_order].")],
    policy: Annotated[Path, typer.Option("--policy", help="P.csv: sku,location,lead_time_days,review_period_days,service_level,...")],
    out: Annotated[Path, typer.Option("--out", help="S.csv to write (order suggestions).")],
    as_of: Annotated[str | None, typer.Option("--date", help="Planning date YYYY-MM-DD (default: first forecast date).")] = None,
) -> None:
    """Order suggestions per sku x location from forecasts, inventory and policy."""
    from replenishment import SUGGESTION_COLUMNS, ReplenishmentInputError, plan_replenishment

    try:
        day = parse_date(as_of, "--date")
        frames = {name: read_csv(path) for name, path in
                  (("forecasts", forecasts), ("inventory", inventory), ("policy", policy))}
        result = plan_replenishment(frames["forecasts"], frames["inventory"], frames["policy"], as_of=day)
    except CommandInputError as exc:
        fail(exc.problems)
    except ReplenishmentInputError as exc:
        fail(relabel(exc.problems, {"forecasts": forecasts, "inventory": inventory, "policy": policy}))
    out.parent.mkdir(parents=True, exist_ok=True)
    result[SUGGESTION_COLUMNS].to_csv(out, index=False, float_format="%.4f")
    ordered = int((result["order_qty"] > 0).sum())
    typer.echo(f"{len(result)} suggestions ({ordered} with an order) written to {out}")


def register(app: typer.Typer) -> None:
    """Add `replenish` to the root app."""
    app.command("replenish")(replenish)
