"""Map the Kaggle Walmart store sales data into supplycast's input CSV formats.

Source: `walmart_store_sales/` with `train.csv.gz` (Store, Dept, Date, Weekly_Sales,
IsHoliday), `stores.csv` (Store, Type, Size) and `features.csv` (Store, Date, Temperature in
deg F, ...). See that folder's README; the data may not be redistributed.

Mapping: sku `D<dept>`, location `S<store>` (a front location whose parent is one regional
`DC`), date = week-ending Friday, units = Weekly_Sales in USD (may be negative: returns;
stored as given). Stores have no published coordinates: latitude and longitude are 0.
Temperature becomes observed weather in deg C up to the last sales week, forecast after it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REGIONAL = "DC"


def fahrenheit_to_celsius(fahrenheit: pd.Series) -> pd.Series:
    """deg C = (deg F - 32) * 5 / 9."""
    return (fahrenheit - 32.0) * 5.0 / 9.0


def adapt_walmart(source_dir: str | Path, out_dir: str | Path) -> dict[str, int]:
    """Write items.csv, locations.csv, sales.csv and weather.csv into `out_dir`.

    Returns the number of rows written per kind.
    """
    source = Path(source_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    train = pd.read_csv(source / "train.csv.gz", dtype={"Store": int, "Dept": int})
    stores = pd.read_csv(source / "stores.csv")
    features = pd.read_csv(source / "features.csv", na_values=["NA"])

    sales = pd.DataFrame(
        {
            "sku": "D" + train["Dept"].astype(str),
            "location": "S" + train["Store"].astype(str),
            "date": train["Date"],
            "units": train["Weekly_Sales"],
        }
    )
    departments = sorted(train["Dept"].unique())
    items = pd.DataFrame(
        {
            "sku": [f"D{d}" for d in departments],
            "name": [f"Walmart department {d}" for d in departments],
            "category": "walmart",
            "unit_cost": 0.0,
            "unit_price": 1.0,  # units are US dollars of sales
        }
    )
    store_rows = pd.DataFrame(
        {
            "location": "S" + stores["Store"].astype(str),
            "name": [
                f"Walmart store {s} (type {t}, {z} sq ft)"
                for s, t, z in zip(stores["Store"], stores["Type"], stores["Size"], strict=True)
            ],
            "kind": "front",
            "parent": REGIONAL,
            "backup": "",
            "latitude": 0.0,
            "longitude": 0.0,
            "capacity_units": "",
        }
    )
    regional = pd.DataFrame(
        [
            {
                "location": REGIONAL,
                "name": "Walmart distribution centre (synthetic parent)",
                "kind": "regional",
                "parent": "",
                "backup": "",
                "latitude": 0.0,
                "longitude": 0.0,
                "capacity_units": "",
            }
        ]
    )
    locations = pd.concat([regional, store_rows], ignore_index=True)
    last_sales_date = train["Date"].max()
    weather = pd.DataFrame(
        {
            "location": "S" + features["Store"].astype(str),
            "date": features["Date"],
            "temperature_c": fahrenheit_to_celsius(features["Temperature"]).round(2),
            "precipitation_mm": "",
            "kind": ["observed" if d <= last_sales_date else "forecast" for d in features["Date"]],
        }
    )
    frames = {"items": items, "locations": locations, "sales": sales, "weather": weather}
    for kind, frame in frames.items():
        frame.to_csv(out / f"{kind}.csv", index=False)
    return {kind: len(frame) for kind, frame in frames.items()}
