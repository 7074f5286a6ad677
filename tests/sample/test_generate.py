"""The sample network generator: determinism, counts, and the demand effects it claims."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplycast.sample import CSV_COLUMNS, SampleConfig, generate_sample, hash_files, write_sample
from supplycast.sample.network import haversine_km

SMALL = SampleConfig(seed=3, n_skus=20, n_days=120)


@pytest.fixture(scope="module")
def network():  # type: ignore[no-untyped-def]
    return generate_sample(SampleConfig())


@pytest.fixture(scope="module")
def sales(network) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = network.frames["sales"].merge(network.frames["items"][["sku", "category"]], on="sku")
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_same_seed_gives_identical_files_and_another_seed_different(tmp_path: Path) -> None:
    first = hash_files(write_sample(generate_sample(SMALL), tmp_path / "a"))
    second = hash_files(write_sample(generate_sample(SMALL), tmp_path / "b"))
    other = hash_files(
        write_sample(generate_sample(SampleConfig(seed=4, n_skus=20, n_days=120)), tmp_path / "c")
    )
    assert first == second
    assert other != first


def test_written_headers_are_the_import_formats(tmp_path: Path) -> None:
    paths = write_sample(generate_sample(SMALL), tmp_path)
    assert sorted(paths) == sorted(CSV_COLUMNS)
    headers = {
        kind: path.read_text(encoding="utf-8").splitlines()[0] for kind, path in paths.items()
    }
    # issue 2's column lists, written out by hand
    assert (
        headers["items"] == "sku,name,category,unit_cost,unit_price,pack_size,moq,shelf_life_days"
    )
    assert headers["locations"] == (
        "location,name,kind,parent,backup,latitude,longitude,capacity_units"
    )
    assert (
        headers["lanes"] == "origin,destination,transit_days,cost_per_unit,capacity_units_per_day"
    )
    assert headers["suppliers"] == "supplier,name"
    assert headers["supply"] == (
        "supplier,sku,location,lead_time_days,lead_time_std_days,order_days"
    )
    assert headers["sales"] == "sku,location,date,units"
    assert headers["weather"] == "location,date,temperature_c,precipitation_mm,kind"
    assert headers["promotions"] == "sku,location,start_date,end_date,discount_pct"
    assert headers["inventory"] == "sku,location,on_hand,as_of"
    assert headers["purchase_orders"] == "sku,location,units,expected_date"
    # order_days holds commas, so it must be quoted
    assert (
        ',"Mon,Thu"' in paths["supply"].read_text() or ',"Tue,Fri"' in paths["supply"].read_text()
    )


def test_counts_of_the_default_sample(network) -> None:  # type: ignore[no-untyped-def]
    locations = network.frames["locations"]
    assert (locations["kind"] == "regional").sum() == 2
    assert (locations["kind"] == "front").sum() == 8
    assert network.frames["items"]["sku"].nunique() == 200
    sales = network.frames["sales"]
    assert sales["date"].min() == "2024-11-22" and sales["date"].max() == "2026-11-21"
    days_per_series = sales.groupby(["sku", "location"]).size()
    assert len(days_per_series) == 200 * 8
    old = days_per_series.drop(list(network.new_skus), level="sku")
    assert (old == 730).all()
    assert set(sales["location"]) == set(locations.loc[locations["kind"] == "front", "location"])


def test_network_structure(network) -> None:  # type: ignore[no-untyped-def]
    locations = network.frames["locations"].set_index("location")
    regionals = set(locations.index[locations["kind"] == "regional"])
    fronts = locations[locations["kind"] == "front"]
    assert fronts["parent"].isin(regionals).all()
    assert locations["backup"].isin(locations.index).all()
    assert (locations["backup"] != locations.index).all()
    # every site within 40 km of People's Square, Shanghai (31.2304 N, 121.4737 E)
    distance = haversine_km(locations["latitude"], locations["longitude"], 31.2304, 121.4737)
    assert (distance < 40).all()
    lanes = network.frames["lanes"]
    pairs = set(zip(lanes["origin"], lanes["destination"], strict=True))
    assert all((parent, front) in pairs for front, parent in fronts["parent"].items())
    assert {("RDC-JIADING", "RDC-PUDONG"), ("RDC-PUDONG", "RDC-JIADING")} <= pairs
    front_front = [(o, d) for o, d in pairs if o in fronts.index and d in fronts.index]
    assert front_front and all((d, o) in pairs for o, d in front_front)
    assert (lanes["cost_per_unit"] > 0).all()


def test_haversine_matches_a_known_distance() -> None:
    # Shanghai People's Square to Pudong airport (31.1443 N, 121.8083 E): ~33.2 km great circle
    assert haversine_km(31.2304, 121.4737, 31.1443, 121.8083) == pytest.approx(33.2, abs=0.3)


def test_items_are_priced_packed_and_perishables_have_shelf_life(network) -> None:  # type: ignore[no-untyped-def]
    items = network.frames["items"]
    assert (items["unit_cost"] < items["unit_price"]).all()
    assert (items["moq"] % items["pack_size"] == 0).all()
    perishable = items["category"].isin(["dairy", "produce", "bakery", "meat_seafood"])
    assert items.loc[perishable, "shelf_life_days"].notna().all()
    assert items.loc[~perishable, "shelf_life_days"].isna().all()
    assert items["category"].nunique() == 10
    supply = network.frames["supply"]
    assert len(supply) == 2 * len(items)
    assert supply["supplier"].isin(network.frames["suppliers"]["supplier"]).all()


def test_weekend_lifts_beverage_sales(sales: pd.DataFrame) -> None:
    beverages = sales[sales["category"] == "beverages"]
    weekend = beverages["date"].dt.dayofweek >= 5
    ratio = beverages.loc[weekend, "units"].mean() / beverages.loc[~weekend, "units"].mean()
    assert ratio > 1.1  # generated with a 1.25 weekend lift


def test_heat_raises_beverage_sales_within_the_month(network, sales: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    daily = (
        sales[sales["category"] == "beverages"]
        .groupby(["location", "date"])["units"]
        .sum()
        .reset_index()
        .merge(
            network.frames["weather"].assign(date=lambda f: pd.to_datetime(f["date"])),
            on=["location", "date"],
        )
    )
    assert daily["units"].corr(daily["temperature_c"]) > 0.3
    # beyond the yearly cycle: temperature anomaly vs log-sales anomaly within each month
    group = [daily["location"], daily["date"].dt.to_period("M")]
    heat = daily["temperature_c"] - daily["temperature_c"].groupby(group).transform("mean")
    log_units = np.log(daily["units"])
    lift = log_units - log_units.groupby(group).transform("mean")
    assert heat.corr(lift) > 0.2


def test_promotions_lift_units_of_the_same_series(network, sales: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    promotions = network.frames["promotions"]
    fronts = sorted(sales["location"].unique())
    promo_days = (
        promotions.assign(
            date=[
                list(pd.date_range(a, b))
                for a, b in zip(promotions["start_date"], promotions["end_date"], strict=True)
            ],
            location=[[loc] if loc else fronts for loc in promotions["location"]],
        )
        .explode("date")
        .explode("location")[["sku", "location", "date"]]
    )
    promo_days["date"] = pd.to_datetime(promo_days["date"])
    frame = sales.merge(promo_days.assign(promo=1), on=["sku", "location", "date"], how="left")
    frame["on_promo"] = frame["promo"].notna()
    means = frame.groupby(["sku", "location", "on_promo"])["units"].mean().unstack()
    means = means.dropna()
    assert len(means) > 500
    assert (means[True] > means[False]).mean() > 0.9
    assert means[True].sum() / means[False].sum() > 1.4


def test_promotions_do_not_overlap_and_some_are_planned(network) -> None:  # type: ignore[no-untyped-def]
    promotions = network.frames["promotions"].sort_values(["sku", "start_date"])
    assert (promotions["start_date"] <= promotions["end_date"]).all()
    next_start = promotions.groupby("sku")["start_date"].shift(-1)
    assert (promotions["end_date"][next_start.notna()] < next_start.dropna()).all()
    assert (promotions["start_date"] > "2026-11-21").sum() > 10
    assert promotions["discount_pct"].between(10, 30).all()
    assert (promotions["location"] == "").mean() > 0.5


def test_slow_movers_are_intermittent(network) -> None:  # type: ignore[no-untyped-def]
    sales = network.frames["sales"]
    slow = sales[sales["sku"].isin(network.slow_movers)]
    assert slow["sku"].nunique() >= 10
    # ADI: average interval between non-zero demand days (Syntetos & Boylan 2005)
    nonzero = slow[slow["units"] > 0].groupby(["sku", "location"]).size()
    adi = 730 / nonzero
    assert (adi > 1.32).all()
    regular = sales[~sales["sku"].isin(network.slow_movers)]
    assert (regular["units"] > 0).mean() > 0.85


def test_cold_start_items_and_returns(network, sales: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    assert 1 <= len(network.new_skus) <= 12
    history = sales[sales["sku"].isin(network.new_skus)].groupby("sku")["date"].nunique()
    assert history.between(14, 60).all()
    returns = sales[sales["units"] < 0]
    assert 3 <= len(returns) < 0.001 * len(sales)
    assert returns["units"].between(-2, -1).all()
    assert not returns["category"].isin(["dairy", "produce", "bakery", "meat_seafood"]).any()


def test_weather_is_observed_then_forecast(network) -> None:  # type: ignore[no-untyped-def]
    weather = network.frames["weather"]
    assert weather["location"].nunique() == 10
    forecast = weather[weather["kind"] == "forecast"]
    assert forecast["date"].min() == "2026-11-22" and forecast["date"].max() == "2026-12-05"
    assert len(forecast) == 10 * 14
    assert weather.loc[weather["kind"] == "observed", "date"].max() == "2026-11-21"
    july = weather[weather["date"].str[5:7] == "07"]["temperature_c"].mean()
    january = weather[weather["date"].str[5:7] == "01"]["temperature_c"].mean()
    assert 24 < july < 34 and 0 < january < 10  # Shanghai: ~29 C and ~5 C
    assert (weather["precipitation_mm"] >= 0).all()


def test_inventory_and_open_orders(network) -> None:  # type: ignore[no-untyped-def]
    inventory = network.frames["inventory"]
    assert len(inventory) == 200 * 10
    assert (inventory["on_hand"] >= 0).all() and (inventory["as_of"] == "2026-11-21").all()
    assert (inventory["on_hand"] == 0).any()
    orders = network.frames["purchase_orders"].merge(network.frames["items"], on="sku")
    assert not orders.duplicated(["sku", "location", "expected_date"]).any()
    assert (orders["units"] % orders["pack_size"] == 0).all()
    to_regional = orders["location"].str.startswith("RDC-")
    assert (orders.loc[to_regional, "units"] >= orders.loc[to_regional, "moq"]).all()
    assert (orders["expected_date"] > "2026-11-21").all()
    assert to_regional.any() and (~to_regional).any()


def test_end_date_moves_the_sample() -> None:
    config = SampleConfig(seed=1, n_skus=12, n_days=100, end_date=date(2025, 3, 31))
    sales = generate_sample(config).frames["sales"]
    assert sales["date"].max() == "2025-03-31"
    assert sales["date"].min() == str(date(2025, 3, 31) - timedelta(days=99))
    assert config.start_date == date(2024, 12, 22)


@pytest.mark.parametrize(
    "kwargs",
    [{"seed": -1}, {"n_skus": 5}, {"n_days": 30}, {"weather_forecast_days": 0}],
)
def test_config_rejects_bad_values(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        SampleConfig(**kwargs)
