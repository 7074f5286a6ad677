"""Replenishment commands: `supplycast replenish` and `supplycast simulate` (thin shells)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from supplycast.commands.common import (
    CommandInputError,
    fail,
    first_line,
    malformed_line,
    written_atomically,
)

if TYPE_CHECKING:  # pandas is imported when a command runs, not when the CLI starts
    import pandas as pd

STRING_COLUMNS = (
    "sku",
    "location",
    "model",
    "order_days",
    "service_type",
    "policy_type",
    "service_group",
)


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV with sku/location (and other text columns) read as strings; clear errors."""
    if not path.is_file():
        raise CommandInputError([f"{path}: file not found"])
    import pandas as pd
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    try:
        header = pd.read_csv(path, nrows=0).columns
        # text columns as dictionaries (pandas categoricals): cheap to read and to match
        types = {c: pa.dictionary(pa.int32(), pa.string()) for c in STRING_COLUMNS if c in header}
        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types=types))
        frame = table.to_pandas(date_as_object=False)
        for column in STRING_COLUMNS:
            if column in frame.columns and len(frame) <= 1_000_000:
                frame[column] = frame[column].astype(object)  # small files: plain strings
        return frame
    except (
        ValueError,
        pa.ArrowException,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        OSError,
    ) as exc:
        where = malformed_line(path) if isinstance(exc, pa.ArrowInvalid) else ""
        raise CommandInputError([f"{path}: cannot read CSV: {where}{first_line(exc)}"]) from exc


def write_csv(frame: pd.DataFrame, path: Path, float_format: str = "%.4f") -> None:
    """`frame.to_csv(path, index=False, float_format=float_format)`, byte for byte, faster.

    Float columns are formatted with one `%` per value (NaN as an empty field), text
    fields with a comma, quote, CR or LF are quoted by the csv module (as pandas does), and
    the lines are joined in one string. Frames with other column types (ints, dates,
    categoricals) or with a single column (where the csv module quotes an empty field) are
    left to pandas.
    """
    import numpy as np
    import pandas as pd

    dtypes = list(frame.dtypes)
    if len(dtypes) < 2 or not all(isinstance(d, np.dtype) and d.kind in "fO" for d in dtypes):
        frame.to_csv(path, index=False, float_format=float_format)
        return
    columns = []
    for position, dtype in enumerate(dtypes):
        values = frame.iloc[:, position].to_numpy()
        if dtype.kind == "f":
            text = [float_format % v for v in values.tolist()]
        else:
            text = _csv_fields([v if isinstance(v, str) else str(v) for v in values.tolist()])
        for row in np.flatnonzero(pd.isna(values)).tolist():
            text[row] = ""
        columns.append(text)
    header = ",".join(_csv_fields([str(name) for name in frame.columns]))
    lines = list(map(",".join, zip(*columns, strict=True)))
    body = "\n".join(lines) + "\n" if lines else ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        handle.write(body)


def _csv_fields(values: list[str]) -> list[str]:
    """Text fields as the csv module writes them (QUOTE_MINIMAL, `"` doubled): fields with a
    comma, quote, CR or LF go through a csv writer, the others are written as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def quoted(value: str) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([value, ""])  # two fields: a lone empty field would be quoted
        return buffer.getvalue()[: -len(",\n")]

    return [quoted(v) if ("," in v or '"' in v or "\n" in v or "\r" in v) else v for v in values]


def relabel(problems: list[str], names: dict[str, Path]) -> list[str]:
    """Replace the core's frame names ('policy row 3 ...') by the file path."""
    out = []
    for problem in problems:
        for name, path in names.items():
            if problem.startswith(name + " ") or problem.startswith(name + ":"):
                problem = str(path) + problem[len(name) :]
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


def replenish(
    forecasts: Annotated[
        Path, typer.Option("--forecasts", help="F.csv: sku,location,date,mean,pNN,...,model.")
    ],
    inventory: Annotated[
        Path, typer.Option("--inventory", help="I.csv: sku,location,on_hand[,on_order].")
    ],
    policy: Annotated[
        Path,
        typer.Option(
            "--policy",
            help="P.csv: sku,location,lead_time_days,review_period_days,service_level,...",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="S.csv to write (order suggestions).")],
    as_of: Annotated[
        str | None,
        typer.Option("--date", help="Planning date YYYY-MM-DD (default: first forecast date)."),
    ] = None,
) -> None:
    """Order suggestions per sku x location from forecasts, inventory and policy."""
    from replenishment import SUGGESTION_COLUMNS, ReplenishmentInputError, plan_replenishment

    try:
        day = parse_date(as_of, "--date")
        frames = {
            name: read_csv(path)
            for name, path in (
                ("forecasts", forecasts),
                ("inventory", inventory),
                ("policy", policy),
            )
        }
        result = plan_replenishment(
            frames["forecasts"], frames["inventory"], frames["policy"], as_of=day
        )
    except CommandInputError as exc:
        fail(exc.problems)
    except ReplenishmentInputError as exc:
        fail(
            relabel(
                exc.problems, {"forecasts": forecasts, "inventory": inventory, "policy": policy}
            )
        )
    with written_atomically(out) as temporary:
        write_csv(result[SUGGESTION_COLUMNS], temporary, float_format="%.4f")
    ordered = int((result["order_qty"] > 0).sum())
    typer.echo(f"{len(result)} suggestions ({ordered} with an order) written to {out}")


FEATURE_MODEL = "lightgbm"
"""The candidate the simulate command's fast forecaster adds on daily data whose history
carries feature columns: the LightGBM global model, the only model of the set that uses
them (the daily plan's candidates include it too). Measured (docs/replenishment.md): on
bike sharing with the weather known it cuts the 4-day WAPE of `cnt` from 10.1% to 7.6% and
the stock at 98% from 18.9% to 21.4% below the flat rule; on Stallion's monthly series
(price, discount, temperature) it cost stock (95%: 22.8% -> 15.2% below the flat rule), so
weekly and monthly data keep the plain fast set."""

SIMULATE_BACKTEST_WINDOWS = 3
"""Backtest windows of the simulate command's forecaster. The conformal quantiles are
calibrated on the backtest errors; with one window every error of the pool shares one
period (a level shift, a season that sold differently), so the bands under-cover the next
window. Three windows (the full `ForecastConfig` default) triple the calibration errors and
let the interval code cross-check tail levels window by window. Measured on 30-series
subsamples of Walmart / Stallion (docs/replenishment.md): the protection-interval demand
covered by the 95% level rose from 0.908 / 0.816 to 0.959 / 0.837 (comonotone sum), at
1.7-1.9x the forecasting time."""


def forecasting_forecaster(  # noqa: ANN201 - returns a Forecaster
    freq: str,
    *,
    fast: bool = True,
    n_windows: int | None = SIMULATE_BACKTEST_WINDOWS,
    models: tuple[str, ...] | None = None,
):
    """A `replenishment.simulation.Forecaster` built on `forecasting.forecast`.

    Quantiles 0.05/0.1/0.5/0.9/0.95 and their cumulative columns (`cum_pNN`: the engine
    reads the spread of demand over the protection interval from them); the horizon is the
    longest future the simulator asks for; features of the future frame are passed on.
    `fast` uses `ForecastConfig.fast()` (SeasonalNaive, AutoETS, Croston, TSB, on weekly
    data the level-adjusted seasonal naive, on weekly and monthly data the top-down share
    of the SKU's total) with
    `n_windows` backtest windows (default SIMULATE_BACKTEST_WINDOWS; None keeps the
    config's own, 1 for fast, 3 for full); on daily data whose frames carry feature columns
    (weather, promotions, prices: known for the horizon) the fast set also tries the
    LightGBM global model, its one candidate that uses them (FEATURE_MODEL), as the daily
    plan does. `models` (forecasting.config.MODEL_NAMES) replaces the candidate set.
    """

    from dataclasses import replace

    import pandas as pd

    from forecasting import ForecastConfig, forecast
    from replenishment import ReplenishmentInputError

    config = ForecastConfig.fast() if fast else ForecastConfig()
    if n_windows is not None:
        config = replace(config, n_windows=n_windows)
    if models is not None:
        config = replace(config, models=models)

    def forecaster(past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        if past.empty:  # forecasting.forecast would say only "history: no rows"
            keys = future[["sku", "location"]].drop_duplicates()
            names = ", ".join(f"{s}/{loc}" for s, loc in keys.head(5).itertuples(index=False))
            more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
            raise ReplenishmentInputError(
                [
                    f"history: no rows before {pd.Timestamp(future['date'].min()).date()} for"
                    f" the policy's sku/location {names}{more}; each review day forecasts from"
                    " the days before it (start later, or check the policy's keys)"
                ]
            )
        horizon = int(future.groupby(["sku", "location"]).size().max())
        features = [c for c in future.columns if c not in ("sku", "location", "date")]
        run_config = config
        if fast and models is None and features and freq == "D" and config.models is not None:
            run_config = replace(config, models=(*config.models, FEATURE_MODEL))
        result = forecast(
            past,
            horizon,
            future=future if features else None,
            freq=freq,
            quantiles=(0.05, 0.1, 0.5, 0.9, 0.95),
            config=run_config,
            cumulative_quantiles=True,
        )
        return result.forecasts

    return forecaster


def simulate(
    history: Annotated[
        Path, typer.Option("--history", help="H.csv: sku,location,date,units (+ numeric features).")
    ],
    policy: Annotated[
        Path, typer.Option("--policy", help="P.csv (as for replenish; optional initial_on_hand).")
    ],
    start: Annotated[str, typer.Option("--start", help="First simulated day D1 (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option("--out", help="TRACE.csv to write.")],
    end: Annotated[
        str | None,
        typer.Option("--end", help="Last simulated day D2 (default: last history date)."),
    ] = None,
    summary: Annotated[Path | None, typer.Option("--summary", help="SUM.csv to write.")] = None,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast/--full",
            help="Forecast with the fast model set (default) or the full selection.",
        ),
    ] = True,
) -> None:
    """Replay history day by day under the policy, forecasting on each review day."""

    from forecasting import ForecastInputError
    from forecasting.inputs import resolve_freq
    from replenishment import ReplenishmentInputError
    from replenishment.simulation import simulate as run_simulation

    try:
        d1 = parse_date(start, "--start")
        d2 = parse_date(end, "--end")
        hist = read_csv(history)
        pol = read_csv(policy)
        if "date" not in hist.columns:
            raise CommandInputError([f"{history}: missing required column 'date'"])
        # the frequency as `supplycast forecast` reads it: a daily file that lists only the
        # days with sales is days (every calendar day simulated), not weeks
        freq, note = resolve_freq(None, hist)
        if note is not None:
            typer.echo(f"warning: {history}: {note}", err=True)
        forecaster = forecasting_forecaster(freq, fast=fast)
        assert d1 is not None
        result = run_simulation(hist, pol, forecaster, start=d1, end=d2, freq=freq)
    except CommandInputError as exc:
        fail(exc.problems)
    except ReplenishmentInputError as exc:
        fail(relabel(exc.problems, {"history": history, "policy": policy}))
    except ForecastInputError as exc:
        fail([f"{history}: {line}" for line in str(exc).splitlines() if line.strip()])
    with written_atomically(out) as temporary:
        result.trace.to_csv(temporary, index=False, float_format="%.4f")
    if summary is not None:
        with written_atomically(summary) as temporary:
            result.summary.to_csv(temporary, index=False, float_format="%.6f")
    total = result.summary.set_index("sku").loc["ALL"]
    typer.echo(
        f"{len(result.summary) - 1} series, {len(result.trace)} trace rows written to {out}; "
        f"fill rate {total['fill_rate']:.4f}, average on hand {total['avg_on_hand']:,.1f}"
    )


def register(app: typer.Typer) -> None:
    """Add `replenish` and `simulate` to the root app."""
    app.command("replenish")(replenish)
    app.command("simulate")(simulate)
