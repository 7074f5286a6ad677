"""Generate the synthetic sample network and write it as CSV files in the import formats.

Everything comes from one seeded `numpy.random.Generator`, so the same `SampleConfig` gives
byte-identical files. The data is synthetic: see docs/sample-data.md for the model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from supplycast.sample.catalog import build_items, build_suppliers, build_supply
from supplycast.sample.config import SampleConfig
from supplycast.sample.demand import build_promotions, build_sales
from supplycast.sample.network import build_lanes, build_locations
from supplycast.sample.stock import build_inventory, build_purchase_orders
from supplycast.sample.weather import build_weather

#: Kinds in dependency order (a kind only references kinds before it) and their CSV columns.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "items": (
        "sku",
        "name",
        "category",
        "unit_cost",
        "unit_price",
        "pack_size",
        "moq",
        "shelf_life_days",
    ),
    "locations": (
        "location",
        "name",
        "kind",
        "parent",
        "backup",
        "latitude",
        "longitude",
        "capacity_units",
    ),
    "lanes": ("origin", "destination", "transit_days", "cost_per_unit", "capacity_units_per_day"),
    "suppliers": ("supplier", "name"),
    "supply": ("supplier", "sku", "location", "lead_time_days", "lead_time_std_days", "order_days"),
    "sales": ("sku", "location", "date", "units"),
    "weather": ("location", "date", "temperature_c", "precipitation_mm", "kind"),
    "promotions": ("sku", "location", "start_date", "end_date", "discount_pct"),
    "inventory": ("sku", "location", "on_hand", "as_of"),
    "purchase_orders": ("sku", "location", "units", "expected_date"),
}


@dataclass(frozen=True)
class SampleNetwork:
    """The generated data, one DataFrame per kind in exactly its CSV columns.

    Attributes:
        config: what was generated.
        frames: kind -> DataFrame, in dependency order (`CSV_COLUMNS`).
        new_skus: SKUs with less than 61 days of history (cold start).
        slow_movers: SKUs generated as intermittent slow movers.
    """

    config: SampleConfig
    frames: dict[str, pd.DataFrame]
    new_skus: tuple[str, ...]
    slow_movers: tuple[str, ...]


def generate_sample(config: SampleConfig | None = None) -> SampleNetwork:
    """Build the sample network described by `config` (default: 200 SKUs, two years)."""
    config = config or SampleConfig()
    rng = np.random.default_rng(config.seed)
    locations = build_locations()
    lanes = build_lanes(locations, rng)
    items = build_items(rng, config.n_skus)
    regionals = locations.loc[locations["kind"] == "regional", "location"].tolist()
    fronts = locations.loc[locations["kind"] == "front", "location"].tolist()
    supply = build_supply(rng, items, regionals)
    weather = build_weather(
        rng,
        locations["location"].tolist(),
        config.start_date,
        config.n_days,
        config.weather_forecast_days,
    )
    promotions = build_promotions(rng, items, fronts, config.start_date, config.n_days)
    demand = build_sales(rng, items, fronts, weather, promotions, config.start_date, config.n_days)
    inventory = build_inventory(rng, items, locations, demand.recent_rate, config.end_date)
    purchase_orders = build_purchase_orders(
        rng, items, supply, demand.recent_rate, locations, config.end_date
    )
    raw = {
        "items": items,
        "locations": locations,
        "lanes": lanes,
        "suppliers": build_suppliers(),
        "supply": supply,
        "sales": demand.sales,
        "weather": weather.frame,
        "promotions": promotions,
        "inventory": inventory,
        "purchase_orders": purchase_orders,
    }
    frames = {
        kind: raw[kind].loc[:, list(columns)].reset_index(drop=True)
        for kind, columns in CSV_COLUMNS.items()
    }
    slow = tuple(items.loc[items["slow_mover"], "sku"])
    return SampleNetwork(config, frames, demand.new_skus, slow)


def write_sample(network: SampleNetwork, directory: Path) -> dict[str, Path]:
    """Write `<kind>.csv` files (UTF-8, header row, ISO dates, `\\n` line ends, blanks for
    missing values) into `directory` (created if needed); return kind -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for kind, frame in network.frames.items():
        path = directory / f"{kind}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        paths[kind] = path
    return paths


def hash_files(paths: dict[str, Path]) -> str:
    """SHA-256 over the files' names and bytes, in `paths`' order (to compare two generations)."""
    digest = hashlib.sha256()
    for kind, path in paths.items():
        digest.update(kind.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
