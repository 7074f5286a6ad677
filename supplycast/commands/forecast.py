"""Forecast commands: `supplycast forecast` and `supplycast backtest` (thin shells).

Read CSVs, call `forecasting.forecast` / `forecasting.backtest.backtest`, write CSVs. Bad
input: one line per problem on stderr, exit code 2, nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from supplycast.commands.common import (
    CommandInputError,
    fail,
    read_csv_checked,
    written_atomically,
)

if TYPE_CHECKING:  # pandas is imported when a command runs, not when the CLI starts
    import pandas as pd

    from forecasting import ForecastConfig

TEXT_COLUMNS = {"sku": str, "location": str}


def _read_csv(path: Path) -> pd.DataFrame:
    """The CSV with sku and location as text: an id such as "NA" (North America), "NULL" or
    "nan" is kept as written (pandas would read it as missing); only an empty field is."""
    if not path.is_file():
        raise CommandInputError([f"{path}: file not found"])
    frame = read_csv_checked(path, dtype=TEXT_COLUMNS)
    ids = [c for c in TEXT_COLUMNS if c in frame.columns]
    if ids and frame[ids].isna().any().any():  # read the ids again, without NA words
        raw = read_csv_checked(path, dtype=str, usecols=ids, keep_default_na=False, na_values=[""])
        frame[ids] = raw[ids]
    return frame


def _relabel(problems: list[str], names: dict[str, Path]) -> list[str]:
    """'history row 3: ...' -> 'H.csv line 4: ...' (line = data row + 1 for the header)."""
    import re

    out = []
    for problem in problems:
        for name, path in names.items():
            if problem.startswith(name):
                rest = problem[len(name) :]
                rest = re.sub(
                    r"^(:? ?)rows? ([0-9, ]+)",
                    lambda m: (
                        m.group(1)
                        + "line"
                        + ("s " if "," in m.group(2) else " ")
                        + ", ".join(str(int(n) + 1) for n in m.group(2).split(",") if n.strip())
                        + (" " if m.group(2).endswith(" ") else "")  # before "(and N more)"
                    ),
                    rest,
                )
                problem = f"{path}{rest}"
                break
        out.append(problem)
    return out


def _load(history_path: Path, future_path: Path | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from forecasting.inputs import validate_future, validate_history

    names = {"history": history_path}
    history = _read_csv(history_path)
    problems = validate_history(history, check_order=True)
    future = None
    if future_path is not None:
        names["future"] = future_path
        future = _read_csv(future_path)
        problems += validate_future(future, check_order=True)
    if problems:
        raise CommandInputError(_relabel(problems, names))
    return history, future


def _models(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


FREQ_HELP = (
    "D (daily), W (weekly) or M (monthly); default: read from the dates (the median gap"
    " between them), said in a warning when not daily."
)
JOBS_HELP = "Processes for the per-series models (default: every core of this machine)."
FIT_BUDGET_HELP = (
    "Without --models: estimated core-seconds the per-series AutoETS/MSTL fits may take;"
    " the series with the most units sold get them first, the rest choose among"
    " SeasonalNaive, LightGBM and the intermittent models (default: the core's, 150; 0 ="
    " none; inf = no bound)."
)
SHRINKAGE_HELP = (
    "How much each series' model choice is pooled with the other series of its demand class"
    " (0 = on its own backtest alone, 1 = one choice per class; default: the core's, 0.5)."
)


def _config(
    models: str | None,
    windows: int | None,
    jobs: int | None,
    fit_budget: float | None,
    shrinkage: float | None = None,
) -> ForecastConfig:
    """ForecastConfig from the command's options; ValueError names a bad one."""
    import dataclasses
    import os

    from forecasting import ForecastConfig

    if jobs is not None and jobs < 1:
        raise ValueError(f"--jobs: must be >= 1, got {jobs}")
    config = ForecastConfig(models=_models(models), n_jobs=jobs or os.cpu_count() or 1)
    if fit_budget is not None:
        if not fit_budget >= 0:
            raise ValueError(f"--fit-budget: must be >= 0 core-seconds, got {fit_budget}")
        budget = None if fit_budget == float("inf") else fit_budget
        config = dataclasses.replace(config, local_fit_budget=budget)
    if shrinkage is not None:
        if not 0 <= shrinkage <= 1:
            raise ValueError(f"--selection-shrinkage: must be within [0, 1], got {shrinkage}")
        config = dataclasses.replace(config, selection_shrinkage=shrinkage)
    if windows is not None:
        config = dataclasses.replace(config, n_windows=windows)
    return config


def forecast_command(
    history: Annotated[
        Path, typer.Option("--history", help="H.csv: sku,location,date,units (+ numeric features).")
    ],
    horizon: Annotated[
        int, typer.Option("--horizon", help="Periods to forecast after the last history date.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="F.csv to write: sku,location,date,mean,p..,model.")
    ],
    future: Annotated[
        Path | None,
        typer.Option(
            "--future", help="X.csv: sku,location,date + every feature of H over the horizon."
        ),
    ] = None,
    freq: Annotated[str | None, typer.Option("--freq", help=FREQ_HELP)] = None,
    quantiles: Annotated[
        str, typer.Option("--quantiles", help="Comma-separated quantiles, e.g. 0.1,0.5,0.9.")
    ] = "0.1,0.5,0.9",
    engine: Annotated[str, typer.Option("--engine", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (default: a local cluster)."),
    ] = None,
    models: Annotated[
        str | None, typer.Option("--models", help="Restrict candidate models, comma-separated.")
    ] = None,
    windows: Annotated[
        int | None,
        typer.Option("--windows", help="Backtest windows for model selection (default 3)."),
    ] = None,
    selection_out: Annotated[
        Path | None,
        typer.Option("--selection-out", help="Also write the per-series model choice CSV."),
    ] = None,
    cumulative_quantiles: Annotated[
        bool,
        typer.Option(
            "--cumulative-quantiles",
            help="Also write cum_pNN: quantiles of the total demand over periods 1..k.",
        ),
    ] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", help=JOBS_HELP)] = None,
    fit_budget: Annotated[float | None, typer.Option("--fit-budget", help=FIT_BUDGET_HELP)] = None,
    selection_shrinkage: Annotated[
        float | None, typer.Option("--selection-shrinkage", help=SHRINKAGE_HELP)
    ] = None,
) -> None:
    """Probabilistic demand forecasts per sku x location, model chosen by backtest."""
    from forecasting import ForecastInputError, forecast
    from forecasting.quantiles import parse_quantiles

    try:
        if horizon <= 0:
            raise CommandInputError(
                [f"--horizon: must be a positive number of periods, got {horizon}"]
            )
        if engine not in ("local", "dask"):
            raise CommandInputError([f"--engine: must be local or dask, got {engine!r}"])
        try:
            qs = parse_quantiles(quantiles)
            config = _config(models, windows, jobs, fit_budget, selection_shrinkage)
        except ValueError as exc:
            raise CommandInputError([str(exc)]) from exc
        hist, fut = _load(history, future)
        try:
            result = forecast(
                hist,
                horizon,
                future=fut,
                freq=freq,
                quantiles=qs,
                engine=engine,
                config=config,
                scheduler_address=scheduler,
                strict_future=future is not None,
                cumulative_quantiles=cumulative_quantiles,
            )
        except ForecastInputError as exc:
            raise CommandInputError(
                _relabel(exc.problems, {"history": history, "future": future or Path("X.csv")})
            ) from exc
        except ValueError as exc:  # e.g. a bad --freq
            raise CommandInputError([str(exc)]) from exc
    except CommandInputError as exc:
        fail(exc.problems, code=2)
        return
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    frame = result.forecasts.copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    with written_atomically(out) as temporary:
        # units to 4 decimals, never in exponent form: 6 significant digits wrote a forecast
        # of 1,008,183,412 units as 1.00818e+09
        frame.to_csv(temporary, index=False, float_format="%.4f")
    if selection_out is not None:
        with written_atomically(selection_out) as temporary:
            result.selection.to_csv(temporary, index=False, float_format="%.6g")
    typer.echo(
        f"wrote {len(frame)} forecast rows for {len(result.selection)} series to {out}", err=True
    )


def backtest_command(
    history: Annotated[
        Path, typer.Option("--history", help="H.csv: sku,location,date,units (+ numeric features).")
    ],
    horizon: Annotated[int, typer.Option("--horizon", help="Periods per backtest window.")],
    windows: Annotated[int, typer.Option("--windows", help="Number of rolling-origin windows.")],
    out: Annotated[
        Path, typer.Option("--out", help="M.csv to write: per series and overall metrics.")
    ],
    freq: Annotated[str | None, typer.Option("--freq", help=FREQ_HELP)] = None,
    quantiles: Annotated[
        str,
        typer.Option("--quantiles", help="Quantiles; coverage is of the lowest-highest interval."),
    ] = "0.1,0.5,0.9",
    models: Annotated[
        str | None, typer.Option("--models", help="Restrict candidate models, comma-separated.")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="local or dask.")] = "local",
    jobs: Annotated[int | None, typer.Option("--jobs", help=JOBS_HELP)] = None,
    fit_budget: Annotated[float | None, typer.Option("--fit-budget", help=FIT_BUDGET_HELP)] = None,
    selection_shrinkage: Annotated[
        float | None, typer.Option("--selection-shrinkage", help=SHRINKAGE_HELP)
    ] = None,
) -> None:
    """Rolling-origin backtest: MASE, RMSSE, WAPE, bias, coverage for the chosen model and
    for SeasonalNaive and AutoETS."""
    from forecasting import ForecastInputError
    from forecasting.backtest import backtest
    from forecasting.quantiles import parse_quantiles

    try:
        if horizon <= 0:
            raise CommandInputError(
                [f"--horizon: must be a positive number of periods, got {horizon}"]
            )
        if windows <= 0:
            raise CommandInputError([f"--windows: must be >= 1, got {windows}"])
        try:
            qs = parse_quantiles(quantiles)
            config = _config(models, None, jobs, fit_budget, selection_shrinkage)
        except ValueError as exc:
            raise CommandInputError([str(exc)]) from exc
        hist, _ = _load(history, None)
        try:
            report = backtest(
                hist, horizon, windows, freq=freq, quantiles=qs, config=config, engine=engine
            )
        except ForecastInputError as exc:
            raise CommandInputError(_relabel(exc.problems, {"history": history})) from exc
        except ValueError as exc:
            raise CommandInputError([str(exc)]) from exc
    except CommandInputError as exc:
        fail(exc.problems, code=2)
        return
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    with written_atomically(out) as temporary:
        report.metrics.to_csv(temporary, index=False, float_format="%.6g")
    overall = report.metrics[report.metrics["level"] == "overall"]
    for row in overall.itertuples(index=False):
        typer.echo(
            f"{row.role:>15}: MASE {row.mase:.3f}  RMSSE {row.rmsse:.3f}  WAPE {row.wape:.3f}  "
            f"bias {row.bias:+.3f}  coverage({report.interval}) {row.coverage:.3f}"
        )


def register(app: typer.Typer) -> None:
    """Add `forecast` and `backtest` to the root app."""
    app.command("forecast")(forecast_command)
    app.command("backtest")(backtest_command)
