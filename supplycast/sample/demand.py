"""Promotions and daily sales at the front warehouses of the sample network.

Demand model, per SKU s, front f and day t (mean units per day):

    mu = base_s * store_f * growth_f(t) * weekly_c(dow) * yearly_c(doy) * exp(beta_c (T_ft - 22))
         * rain_ft * holiday_t * (1 - discount_sft)^(-elasticity_c)

with c the SKU's category: weekend lift (Friday gets half of it), a yearly cosine, heat
sensitivity beta_c per degree C (beverages, ice cream), +8 % on days with more than 5 mm of
rain (people order in instead of going out), -40 % during the Spring Festival (Shanghai
empties), constant-elasticity promotion lift. Units are drawn from a gamma-Poisson (negative
binomial, shape 4) for regular SKUs and from a Poisson for slow movers (0.05-0.45 units a
day, hence intermittent: ADI > 1.32 in Syntetos-Boylan terms). New SKUs launched 14-60 days
before the end have rows only from their launch day (cold start). A few returns are written
as negative units on non-perishable SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays
import numpy as np
import pandas as pd

from supplycast.sample.catalog import CATEGORIES
from supplycast.sample.weather import WeatherSample

PROMOTION_SLOT_DAYS = 56
PROMOTION_PROBABILITY = 0.3
PROMOTION_DISCOUNTS_PCT = (10, 15, 20, 25, 30)
#: How far after the end of history planned promotions are written.
PROMOTION_LOOKAHEAD_DAYS = 28
RAIN_THRESHOLD_MM = 5.0
RAIN_LIFT = 1.08
SPRING_FESTIVAL_FACTOR = 0.6
NEGATIVE_BINOMIAL_SHAPE = 4.0
RETURN_FRACTION = 0.0004


@dataclass(frozen=True)
class DemandSample:
    """Sales and promotions, plus what the inventory generator needs.

    Attributes:
        sales: sales.csv rows (sku, location, date, units).
        promotions: promotions.csv rows (sku, location, start_date, end_date, discount_pct).
        recent_rate: mean expected units per day over the last 28 days per (sku, location),
            columns sku, location, rate.
        new_skus: SKUs launched within the last 60 days (cold start).
    """

    sales: pd.DataFrame
    promotions: pd.DataFrame
    recent_rate: pd.DataFrame
    new_skus: tuple[str, ...]


def build_promotions(
    rng: np.random.Generator, items: pd.DataFrame, fronts: list[str], start: date, n_days: int
) -> pd.DataFrame:
    """Non-overlapping promotions per SKU: one 56-day slot holds at most one promotion (3-14
    days, 10-30 % off, 80 % of them at every location (blank), the rest at one front), over the
    history and `PROMOTION_LOOKAHEAD_DAYS` after it. Slow movers are never promoted."""
    total_days = n_days + PROMOTION_LOOKAHEAD_DAYS
    n_slots = -(-total_days // PROMOTION_SLOT_DAYS)
    n_items = len(items)
    happens = rng.random((n_items, n_slots)) < PROMOTION_PROBABILITY
    happens &= ~items["slow_mover"].to_numpy()[:, None]
    duration = rng.integers(3, 15, (n_items, n_slots))
    offset = rng.integers(0, PROMOTION_SLOT_DAYS - 14, (n_items, n_slots))
    discount = rng.choice(PROMOTION_DISCOUNTS_PCT, (n_items, n_slots))
    at_one_front = rng.random((n_items, n_slots)) < 0.2
    front_index = rng.integers(0, len(fronts), (n_items, n_slots))
    item_idx, slot_idx = np.nonzero(happens)
    first = slot_idx * PROMOTION_SLOT_DAYS + offset[item_idx, slot_idx]
    last = np.minimum(first + duration[item_idx, slot_idx] - 1, total_days - 1)
    keep = first < total_days
    item_idx, slot_idx, first, last = item_idx[keep], slot_idx[keep], first[keep], last[keep]
    start_ts = pd.Timestamp(start)
    location = np.where(
        at_one_front[item_idx, slot_idx], np.asarray(fronts)[front_index[item_idx, slot_idx]], ""
    )
    return pd.DataFrame(
        {
            "sku": items["sku"].to_numpy()[item_idx],
            "location": location,
            "start_date": (start_ts + pd.to_timedelta(first, unit="D")).strftime("%Y-%m-%d"),
            "end_date": (start_ts + pd.to_timedelta(last, unit="D")).strftime("%Y-%m-%d"),
            "discount_pct": discount[item_idx, slot_idx].astype(int),
        }
    )


def build_sales(
    rng: np.random.Generator,
    items: pd.DataFrame,
    fronts: list[str],
    weather: WeatherSample,
    promotions: pd.DataFrame,
    start: date,
    n_days: int,
) -> DemandSample:
    """Daily sales at every front for every SKU (zero-unit days included) from its launch day."""
    n_items, n_fronts = len(items), len(fronts)
    days = pd.date_range(start, periods=n_days, freq="D")
    category = items["category_index"].to_numpy()
    profiles = [CATEGORIES[c] for c in category]
    slow = items["slow_mover"].to_numpy()

    median = np.array([p.base_rate_median for p in profiles])
    base = np.where(
        slow,
        np.exp(rng.uniform(np.log(0.05), np.log(0.45), n_items)),
        median * rng.lognormal(0.0, 0.6, n_items),
    )
    store = rng.lognormal(0.0, 0.3, n_fronts)
    growth_per_year = rng.uniform(0.0, 0.15, n_fronts)
    t = np.arange(n_days)
    growth = (1.0 + growth_per_year[:, None]) ** (t[None, :] / 365.0)  # (F, T)

    dow = days.dayofweek.to_numpy()
    weekend_lift = np.array([p.weekend_lift for p in profiles])
    weekly = np.where(dow[None, :] >= 5, weekend_lift[:, None], 1.0)
    weekly = np.where(dow[None, :] == 4, 1.0 + (weekend_lift[:, None] - 1.0) / 2, weekly)
    amplitude = np.array([p.yearly_amplitude for p in profiles])
    peak = np.array([p.yearly_peak_day for p in profiles])
    doy = days.dayofyear.to_numpy()
    yearly = 1.0 + amplitude[:, None] * np.cos(2 * np.pi * (doy[None, :] - peak[:, None]) / 365.25)
    item_day = weekly * yearly * _holiday_factor(days)[None, :]  # (S, T)

    rows = [weather.locations.index(f) for f in fronts]
    temperature = weather.temperature_c[rows, :n_days]  # (F, T)
    rain = np.where(weather.precipitation_mm[rows, :n_days] > RAIN_THRESHOLD_MM, RAIN_LIFT, 1.0)
    beta = np.array([p.heat_beta for p in profiles])
    heat = np.exp(beta[:, None, None] * (temperature[None, :, :] - 22.0))  # (S, F, T)

    discount = _discount_cube(promotions, items, fronts, start, n_days)
    elasticity = np.array([p.promo_elasticity for p in profiles])
    promo = (1.0 - discount) ** (-elasticity[:, None, None])

    mu = (
        base[:, None, None]
        * store[None, :, None]
        * growth[None, :, :]
        * item_day[:, None, :]
        * heat
        * rain[None, :, :]
        * promo
    )
    launch = _launch_days(rng, items, n_days)
    launched = t[None, None, :] >= launch[:, None, None]
    mu = np.where(launched, mu, 0.0)

    noise = rng.gamma(NEGATIVE_BINOMIAL_SHAPE, 1.0 / NEGATIVE_BINOMIAL_SHAPE, mu.shape)
    lam = np.where(slow[:, None, None], mu, mu * noise)
    units = rng.poisson(lam).astype(np.int64)
    _add_returns(rng, units, launched, items)

    mask = np.broadcast_to(launched, units.shape).ravel()
    date_text = days.strftime("%Y-%m-%d").to_numpy()
    sales = pd.DataFrame(
        {
            "sku": np.repeat(items["sku"].to_numpy(), n_fronts * n_days)[mask],
            "location": np.tile(np.repeat(np.asarray(fronts), n_days), n_items)[mask],
            "date": np.tile(date_text, n_items * n_fronts)[mask],
            "units": units.ravel()[mask],
        }
    )
    recent = mu[:, :, -28:].mean(axis=2)
    recent_rate = pd.DataFrame(
        {
            "sku": np.repeat(items["sku"].to_numpy(), n_fronts),
            "location": np.tile(np.asarray(fronts), n_items),
            "rate": recent.ravel(),
        }
    )
    new_skus = tuple(items["sku"].to_numpy()[launch > 0])
    return DemandSample(sales, promotions, recent_rate, new_skus)


def _holiday_factor(days: pd.DatetimeIndex) -> np.ndarray:
    """0.6 on Spring Festival days and New Year's Eve (python-holidays, China), else 1."""
    calendar = holidays.country_holidays("CN", years=sorted(set(days.year)))
    festival = {
        d for d, name in calendar.items() if "Spring Festival" in name or "New Year's Eve" in name
    }
    return np.array([SPRING_FESTIVAL_FACTOR if d.date() in festival else 1.0 for d in days])


def _discount_cube(
    promotions: pd.DataFrame, items: pd.DataFrame, fronts: list[str], start: date, n_days: int
) -> np.ndarray:
    """(S, F, T) discount as a fraction 0-1 from the promotions in the history window."""
    cube = np.zeros((len(items), len(fronts), n_days))
    sku_index = {s: i for i, s in enumerate(items["sku"])}
    start_ts = pd.Timestamp(start)
    for promo in promotions.itertuples(index=False):
        first = (pd.Timestamp(promo.start_date) - start_ts).days
        last = (pd.Timestamp(promo.end_date) - start_ts).days
        if first >= n_days:
            continue
        f = slice(None) if promo.location == "" else fronts.index(promo.location)
        cube[sku_index[promo.sku], f, first : last + 1] = promo.discount_pct / 100.0
    return cube


def _launch_days(rng: np.random.Generator, items: pd.DataFrame, n_days: int) -> np.ndarray:
    """Day index of each SKU's launch: 0 for most; ~4 % (at least one) regular SKUs launched
    14-60 days before the end of history."""
    n_items = len(items)
    launch = np.zeros(n_items, dtype=int)
    candidates = np.flatnonzero(~items["slow_mover"].to_numpy())
    n_new = max(1, round(0.04 * n_items))
    new = rng.choice(candidates, size=n_new, replace=False)
    launch[new] = n_days - rng.integers(14, 61, n_new)
    return launch


def _add_returns(
    rng: np.random.Generator, units: np.ndarray, launched: np.ndarray, items: pd.DataFrame
) -> None:
    """Turn a few launched day cells of non-perishable SKUs into returns of 1-2 units (in place)."""
    non_perishable = items["shelf_life_days"].isna().to_numpy()
    eligible = np.broadcast_to(launched & non_perishable[:, None, None], units.shape)
    flat = np.flatnonzero(eligible.ravel())
    n_returns = max(3, round(RETURN_FRACTION * flat.size))
    chosen = rng.choice(flat, size=n_returns, replace=False)
    np.put(units, chosen, -rng.integers(1, 3, n_returns))
