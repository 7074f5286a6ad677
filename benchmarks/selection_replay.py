"""How the model choice affects the spread of demand over a short protection interval.

Offline replay on the UCI bike sharing daily series (`cnt`, `casual`, `registered`, with
day.csv's weather and calendar as features): AutoETS, SeasonalNaive (statsforecast) and
the product's LightGBM global model (`forecasting.global_model.global_cross_validation`)
forecast h = 4 days at every daily origin from 2011-10-01 to the end of 2012, fitted once
per block of 28 origins and rolled forward (as the product's calibration windows are).
Then, at every origin of 2012, each series' forecast is chosen on its last 79 earlier
windows (3 selection + ~76 calibration windows, as `forecasting.forecast` does for a
4-day horizon) by one of these rules:

- `per k`: lowest mean |error| per period (the product's criterion) over the single models
  and, for k > 1, the means of the series' 2..k best (ForecastConfig.ensemble_top = k);
- `total k`: the same, scored on the |error| of each window's 4-day total.

Printed per series: the sd of the chosen forecast's 4-day total error divided by the sd
of the 28-day moving average's (4 x MA28 - actual total), the reference every
replenishment benchmark row is compared with. Lower is less safety stock for the same
service. Run: `nice .venv/bin/python benchmarks/selection_replay.py` (~1 min).
"""

from __future__ import annotations

import itertools
import sys
import warnings
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from forecasting.global_model import global_cross_validation  # noqa: E402

DAY_CSV = REPO.parent / "shared" / "data" / "bike_sharing_uci" / "day.csv"
FEATURES = ("temp", "atemp", "hum", "windspeed", "weathersit", "workingday", "holiday")
SERIES = ("cnt", "casual", "registered")
HORIZON = 4  # days: lead time 3 + review period 1
BLOCK = 28  # origins per fit (fitted once, rolled forward)
WINDOWS = 79  # earlier windows a choice is made on
MODELS = ("AutoETS", "SeasonalNaive", "lightgbm")


def backtest_every_origin(frame: pd.DataFrame) -> pd.DataFrame:
    """unique_id, ds, cutoff, y and one column per model, h = HORIZON at every origin."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, SeasonalNaive

    dates = pd.DatetimeIndex(sorted(frame["ds"].unique()))
    origins = dates[
        (dates >= pd.Timestamp("2011-10-01")) & (dates <= dates[-1] - pd.Timedelta(days=HORIZON))
    ]
    parts = []
    for b in range(0, len(origins), BLOCK):
        block = origins[b : b + BLOCK]
        train = frame[frame["ds"] <= block[-1] + pd.Timedelta(days=HORIZON)]
        sf = StatsForecast(
            models=[AutoETS(season_length=7), SeasonalNaive(season_length=7)], freq="D"
        )
        local = sf.cross_validation(
            df=train[["unique_id", "ds", "y"]],
            h=HORIZON,
            n_windows=len(block),
            step_size=1,
            refit=False,
        )
        glob = global_cross_validation(
            train,
            HORIZON,
            len(block),
            freq="D",
            sf_freq="D",
            season_length=7,
            step_size=1,
            refit=False,
        )
        parts.append(local.merge(glob[["unique_id", "ds", "cutoff", "lightgbm"]]))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    warnings.filterwarnings("ignore")
    raw = pd.read_csv(DAY_CSV)
    raw["ds"] = pd.to_datetime(raw["dteday"])
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": name,
                    "ds": raw["ds"],
                    "y": raw[name].astype(float),
                    **{f: raw[f].astype(float) for f in FEATURES},
                }
            )
            for name in SERIES
        ],
        ignore_index=True,
    )
    cv = backtest_every_origin(frame)
    combos = {"+".join(c): list(c) for k in (1, 2, 3) for c in itertools.combinations(MODELS, k)}
    for name, members in combos.items():
        cv[name] = cv[members].mean(axis=1)
    names = list(combos)
    totals = cv.groupby(["unique_id", "cutoff"])[["y", *names]].sum()
    per_period = (
        cv.assign(**{n: (cv[n] - cv["y"]).abs() for n in names})
        .groupby(["unique_id", "cutoff"])[names]
        .mean()
    )
    total_error = totals[names].sub(totals["y"], axis=0).abs()

    def choose(table: pd.DataFrame, uid: str, window: pd.Index, k: int) -> str:
        singles = table.loc[uid].loc[window, list(MODELS)].mean().sort_values()
        options = ["+".join(sorted(singles.index[:j], key=MODELS.index)) for j in range(1, k + 1)]
        return str(table.loc[uid].loc[window, options].mean().idxmin())

    rows = []
    for uid in SERIES:
        ma28 = raw.set_index("ds")[uid].rolling(28).mean()
        cutoffs = totals.loc[uid].index
        errors: dict[str, list[float]] = {}
        for cutoff in cutoffs[cutoffs >= pd.Timestamp("2011-12-31")]:
            window = cutoffs[cutoffs <= cutoff - pd.Timedelta(days=HORIZON)][-WINDOWS:]
            actual = totals.loc[(uid, cutoff), "y"]
            errors.setdefault("MA28", []).append(HORIZON * ma28.loc[cutoff] - actual)
            for k in (1, 2, 3):
                for rule, table in (("per", per_period), ("total", total_error)):
                    chosen = choose(table, uid, window, k)
                    errors.setdefault(f"{rule} {k}", []).append(
                        totals.loc[(uid, cutoff), chosen] - actual
                    )
            for model in MODELS:
                errors.setdefault(f"{model} always", []).append(
                    totals.loc[(uid, cutoff), model] - actual
                )
        sd = {name: pd.Series(values).std() for name, values in errors.items()}
        rows.append(
            {"series": uid, "MA28 sd": round(sd["MA28"])}
            | {name: round(value / sd["MA28"], 3) for name, value in sd.items() if name != "MA28"}
        )
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
