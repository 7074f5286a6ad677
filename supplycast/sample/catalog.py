"""Product categories of the sample network and the item / supplier / supply tables built from them.

The numbers are invented but plausible for a quick-commerce grocer in Shanghai (prices in CNY):
fresh categories are cheap, fast and perishable with daily deliveries; household and personal
care are slow, long-lived and ordered weekly from suppliers with long lead times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ALL_DAYS = "Mon,Tue,Wed,Thu,Fri,Sat,Sun"


@dataclass(frozen=True)
class CategoryProfile:
    """How the items of one category look and sell.

    Attributes:
        name: category name written to items.csv.
        prefix: SKU code prefix.
        share: relative share of the SKUs.
        products, sizes: words combined into item names.
        price_range: unit price range, CNY.
        margin_range: gross margin range, fraction 0-1 of the price (cost = price * (1 - margin)).
        pack_sizes: units per case; MOQ is a whole number of cases.
        shelf_life_range: shelf life in days (inclusive range), None = not perishable.
        base_rate_median: median mean daily units per SKU at an average front warehouse.
        weekend_lift: multiplier of Saturday and Sunday demand.
        yearly_amplitude: relative amplitude of the yearly cycle (0.2 = +-20 %).
        yearly_peak_day: day of year of the yearly peak.
        heat_beta: log-demand change per degree C above 22 C (0.035 ~ +3.6 % per degree).
        promo_elasticity: lift on promotion = (1 - discount)^(-elasticity).
        slow_mover_share: fraction of the category's SKUs that sell well below one unit a day.
        lead_time_range: supplier lead time, days (inclusive range).
        order_days: days the supplier takes orders, `Mon,Thu` form.
        suppliers: (code, name) of the category's suppliers.
    """

    name: str
    prefix: str
    share: float
    products: tuple[str, ...]
    sizes: tuple[str, ...]
    price_range: tuple[float, float]
    margin_range: tuple[float, float]
    pack_sizes: tuple[int, ...]
    shelf_life_range: tuple[int, int] | None
    base_rate_median: float
    weekend_lift: float
    yearly_amplitude: float
    yearly_peak_day: int
    heat_beta: float
    promo_elasticity: float
    slow_mover_share: float
    lead_time_range: tuple[int, int]
    order_days: str
    suppliers: tuple[tuple[str, str], ...]


CATEGORIES: tuple[CategoryProfile, ...] = (
    CategoryProfile(
        "beverages",
        "BEV",
        0.16,
        (
            "Sparkling Water",
            "Green Tea",
            "Oolong Tea",
            "Cola",
            "Orange Juice",
            "Soy Milk Drink",
            "Sports Drink",
            "Coconut Water",
            "Lemon Tea",
            "Mineral Water",
            "Cold Brew Coffee",
            "Sour Plum Juice",
        ),
        ("330ml", "500ml", "1.5L", "6x330ml"),
        (3.0, 25.0),
        (0.25, 0.35),
        (12, 24),
        None,
        6.0,
        1.25,
        0.10,
        200,
        0.035,
        2.2,
        0.05,
        (3, 6),
        "Mon,Thu",
        (("SUP-EBB", "Eastbund Beverages Co."), ("SUP-QSP", "Qingshan Springs Ltd.")),
    ),
    CategoryProfile(
        "ice_cream",
        "ICE",
        0.06,
        (
            "Vanilla Cone",
            "Red Bean Bar",
            "Mango Sorbet",
            "Matcha Cup",
            "Chocolate Bar",
            "Milk Popsicle",
        ),
        ("single", "4-pack", "500ml tub"),
        (4.0, 45.0),
        (0.30, 0.40),
        (12, 24),
        None,
        3.0,
        1.30,
        0.15,
        205,
        0.065,
        2.5,
        0.0,
        (4, 7),
        "Tue,Fri",
        (("SUP-PRF", "Pearl River Frozen Foods"),),
    ),
    CategoryProfile(
        "dairy",
        "DAI",
        0.10,
        ("Fresh Milk", "Plain Yogurt", "Drinking Yogurt", "Cheese Slices", "Butter", "Cream"),
        ("250ml", "950ml", "4x100g", "200g"),
        (6.0, 40.0),
        (0.20, 0.30),
        (6, 12),
        (7, 21),
        5.0,
        1.10,
        0.05,
        20,
        0.0,
        1.8,
        0.0,
        (1, 2),
        "Mon,Wed,Fri",
        (("SUP-JND", "Jiangnan Dairy Co."),),
    ),
    CategoryProfile(
        "produce",
        "PRO",
        0.14,
        (
            "Bok Choy",
            "Tomatoes",
            "Cucumbers",
            "Bananas",
            "Apples",
            "Oranges",
            "Watermelon",
            "Strawberries",
            "Shiitake Mushrooms",
            "Spinach",
            "Potatoes",
            "Carrots",
        ),
        ("500g", "1kg", "each"),
        (3.0, 35.0),
        (0.30, 0.45),
        (1, 5, 10),
        (3, 10),
        8.0,
        1.15,
        0.10,
        190,
        0.0,
        1.6,
        0.0,
        (1, 1),
        ALL_DAYS,
        (("SUP-CMF", "Chongming Farms Cooperative"), ("SUP-SJF", "Songjiang Fresh Produce")),
    ),
    CategoryProfile(
        "bakery",
        "BAK",
        0.07,
        (
            "Toast Bread",
            "Croissant",
            "Egg Tart",
            "Steamed Buns",
            "Whole Wheat Loaf",
            "Red Bean Bun",
        ),
        ("single", "4-pack", "400g"),
        (4.0, 25.0),
        (0.35, 0.50),
        (6, 12),
        (2, 5),
        4.0,
        1.30,
        0.0,
        1,
        0.0,
        1.5,
        0.0,
        (1, 1),
        ALL_DAYS,
        (("SUP-GWB", "Golden Wheat Bakery"),),
    ),
    CategoryProfile(
        "meat_seafood",
        "MEA",
        0.09,
        (
            "Pork Belly",
            "Chicken Breast",
            "Minced Pork",
            "Beef Slices",
            "Shrimp",
            "Salmon Fillet",
            "Chicken Wings",
            "Fish Balls",
        ),
        ("300g", "500g", "1kg"),
        (15.0, 90.0),
        (0.20, 0.30),
        (1, 5),
        (3, 7),
        3.0,
        1.20,
        0.10,
        20,
        -0.01,
        1.7,
        0.0,
        (1, 2),
        "Mon,Tue,Wed,Thu,Fri,Sat",
        (("SUP-YMS", "Yangtze Meat & Seafood"),),
    ),
    CategoryProfile(
        "snacks",
        "SNA",
        0.12,
        (
            "Potato Chips",
            "Seaweed Snack",
            "Sunflower Seeds",
            "Rice Crackers",
            "Dark Chocolate",
            "Dried Mango",
            "Beef Jerky",
            "Mixed Nuts",
        ),
        ("50g", "150g", "500g"),
        (5.0, 45.0),
        (0.30, 0.40),
        (12, 24),
        None,
        3.0,
        1.30,
        0.10,
        30,
        0.0,
        2.0,
        0.10,
        (4, 8),
        "Mon,Thu",
        (("SUP-LST", "Lotus Snacks Trading"),),
    ),
    CategoryProfile(
        "pantry",
        "PAN",
        0.10,
        (
            "Jasmine Rice",
            "Light Soy Sauce",
            "Peanut Oil",
            "Instant Noodles",
            "Dried Noodles",
            "Black Vinegar",
            "White Sugar",
            "Wheat Flour",
        ),
        ("500ml", "1L", "2.5kg", "5-pack"),
        (6.0, 80.0),
        (0.15, 0.25),
        (6, 12),
        None,
        2.5,
        1.10,
        0.05,
        30,
        0.0,
        2.5,
        0.15,
        (5, 10),
        "Wed",
        (("SUP-HPF", "Harvest Pantry Foods"),),
    ),
    CategoryProfile(
        "household",
        "HOU",
        0.08,
        (
            "Dish Soap",
            "Laundry Detergent",
            "Paper Towels",
            "Toilet Paper",
            "Trash Bags",
            "Sponges",
            "Bleach",
        ),
        ("500ml", "2L", "6-roll", "12-roll"),
        (8.0, 70.0),
        (0.25, 0.35),
        (6, 12),
        None,
        1.0,
        1.10,
        0.0,
        1,
        0.0,
        2.0,
        0.40,
        (7, 12),
        "Tue",
        (("SUP-CHS", "CleanHome Supplies"),),
    ),
    CategoryProfile(
        "personal_care",
        "PER",
        0.08,
        (
            "Toothpaste",
            "Shampoo",
            "Body Wash",
            "Hand Soap",
            "Sunscreen",
            "Face Masks",
            "Razor Blades",
        ),
        ("100g", "400ml", "750ml", "5-pack"),
        (10.0, 90.0),
        (0.35, 0.50),
        (6, 12),
        None,
        0.8,
        1.10,
        0.0,
        1,
        0.0,
        1.8,
        0.45,
        (7, 14),
        "Fri",
        (("SUP-SCP", "Silk Care Products"),),
    ),
)


def category_counts(n_skus: int) -> np.ndarray:
    """SKUs per category: proportional to `share` (largest remainder), at least one each."""
    shares = np.array([c.share for c in CATEGORIES])
    extra = n_skus - len(CATEGORIES)
    raw = shares / shares.sum() * extra
    counts = np.floor(raw).astype(int)
    remainder_order = np.argsort(-(raw - counts), kind="stable")
    counts[remainder_order[: extra - counts.sum()]] += 1
    return counts + 1


def build_items(rng: np.random.Generator, n_skus: int) -> pd.DataFrame:
    """items.csv rows plus the generator's private columns.

    Private columns (dropped before writing): `category_index`, `supplier`, `slow_mover`.
    """
    rows: list[dict[str, object]] = []
    for index, (profile, count) in enumerate(zip(CATEGORIES, category_counts(n_skus), strict=True)):
        combos = [f"{p} {s}" for p in profile.products for s in profile.sizes]
        order = rng.permutation(len(combos))
        low_price, high_price = profile.price_range
        prices = np.exp(rng.uniform(np.log(low_price), np.log(high_price), size=count))
        margins = rng.uniform(*profile.margin_range, size=count)
        packs = rng.choice(profile.pack_sizes, size=count)
        moq_cases = rng.integers(1, 4, size=count)
        suppliers = rng.integers(0, len(profile.suppliers), size=count)
        slow = rng.random(count) < profile.slow_mover_share
        for k in range(count):
            name = combos[order[k % len(combos)]]
            if k >= len(combos):
                name = f"{name} ({chr(ord('A') + k // len(combos))})"
            price = max(2.0, float(np.round(prices[k]))) - 0.1  # shelf prices end in .9
            shelf_life = (
                int(rng.integers(profile.shelf_life_range[0], profile.shelf_life_range[1] + 1))
                if profile.shelf_life_range
                else None
            )
            rows.append(
                {
                    "sku": f"{profile.prefix}-{k + 1:03d}",
                    "name": name,
                    "category": profile.name,
                    "unit_cost": round(price * (1.0 - float(margins[k])), 2),
                    "unit_price": round(price, 2),
                    "pack_size": int(packs[k]),
                    "moq": int(packs[k] * moq_cases[k]),
                    "shelf_life_days": shelf_life,
                    "category_index": index,
                    "supplier": profile.suppliers[suppliers[k]][0],
                    "slow_mover": bool(slow[k]),
                }
            )
    items = pd.DataFrame(rows)
    items["shelf_life_days"] = items["shelf_life_days"].astype("Int64")
    return items


def build_suppliers() -> pd.DataFrame:
    """suppliers.csv: supplier, name."""
    rows = [(code, name) for c in CATEGORIES for code, name in c.suppliers]
    return pd.DataFrame(rows, columns=["supplier", "name"])


def build_supply(
    rng: np.random.Generator, items: pd.DataFrame, regionals: list[str]
) -> pd.DataFrame:
    """supply.csv: each SKU from its supplier to every regional warehouse.

    Lead time: the category's range, plus one day to the farther regional half of the time;
    its standard deviation is 15-35 % of the mean (at least 0.3 days).
    """
    rows: list[dict[str, object]] = []
    for item in items.itertuples(index=False):
        profile = CATEGORIES[item.category_index]
        low, high = profile.lead_time_range
        lead = int(rng.integers(low, high + 1))
        for regional in regionals:
            lead_here = lead + int(rng.random() < 0.5)
            std = max(0.3, lead_here * float(rng.uniform(0.15, 0.35)))
            rows.append(
                {
                    "supplier": item.supplier,
                    "sku": item.sku,
                    "location": regional,
                    "lead_time_days": lead_here,
                    "lead_time_std_days": round(std, 1),
                    "order_days": profile.order_days,
                }
            )
    return pd.DataFrame(rows)
