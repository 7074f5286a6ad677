"""A tiny hand-made network for the daily-plan tests, written as CSVs in the data formats.

One regional warehouse R1 (Shanghai, Minhang) feeding two front sites F1, F2 over lanes of
1 day; one supplier S1 delivering three skus to R1 in 3 days on Mon and Thu. Sales: 56 days
(2025-01-01 .. 2025-02-25) at F1 and F2 with a fixed weekly pattern, so every number below is
known by construction. Inventory counted on the last day; one purchase order still open.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

START = dt.date(2025, 1, 1)
DAYS = 56
LAST_DAY = START + dt.timedelta(days=DAYS - 1)  # 2025-02-25
SKUS = ("A", "B", "C")
FRONTS = ("F1", "F2")
# units per day by weekday (Mon..Sun) and sku; F2 sells twice what F1 sells.
WEEKLY = {"A": (10, 10, 10, 10, 12, 20, 18), "B": (3, 3, 3, 3, 3, 5, 5), "C": (0, 1, 0, 0, 1, 0, 2)}


def write_network(directory: Path) -> Path:
    """Write items, locations, lanes, suppliers, supply, sales, inventory, purchase_orders."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "items.csv": [
            "sku,name,category,unit_cost,unit_price,pack_size,moq,shelf_life_days",
            "A,Cola 330ml,beverages,0.5,1.2,6,60,",
            "B,Yoghurt 200g,dairy,0.8,1.9,4,20,14",
            "C,Umbrella,household,4.0,9.9,1,0,",
        ],
        "locations.csv": [
            "location,name,kind,parent,backup,latitude,longitude,capacity_units",
            "R1,Regional Minhang,regional,,,31.1129,121.3817,100000",
            "F1,Front Xuhui,front,R1,F2,31.1885,121.4365,5000",
            "F2,Front Jingan,front,R1,F1,31.2290,121.4480,5000",
        ],
        "lanes.csv": [
            "origin,destination,transit_days,cost_per_unit,capacity_units_per_day",
            "R1,F1,1,0.05,",
            "R1,F2,1,0.06,",
            "F1,F2,1,0.03,500",
            "F2,F1,1,0.03,500",
        ],
        "suppliers.csv": ["supplier,name", "S1,Huadong Foods"],
        "supply.csv": [
            "supplier,sku,location,lead_time_days,lead_time_std_days,order_days",
            'S1,A,R1,3,1,"Mon,Thu"',
            'S1,B,R1,3,0.5,"Mon,Thu"',
            'S1,C,R1,3,0,"Mon,Thu"',
        ],
        "inventory.csv": [
            "sku,location,on_hand,as_of",
            f"A,R1,600,{LAST_DAY}",
            f"B,R1,100,{LAST_DAY}",
            f"C,R1,10,{LAST_DAY}",
            f"A,F1,20,{LAST_DAY}",
            f"B,F1,5,{LAST_DAY}",
            f"C,F1,1,{LAST_DAY}",
            f"A,F2,30,{LAST_DAY}",
            f"B,F2,8,{LAST_DAY}",
            f"C,F2,2,{LAST_DAY}",
        ],
        "purchase_orders.csv": [
            "order_id,sku,location,units,expected_date",
            f"PO1,A,R1,120,{LAST_DAY + dt.timedelta(days=2)}",
        ],
    }
    sales = ["sku,location,date,units"]
    for day in range(DAYS):
        date = START + dt.timedelta(days=day)
        for front_index, front in enumerate(FRONTS):
            for sku in SKUS:
                units = WEEKLY[sku][date.weekday()] * (front_index + 1)
                sales.append(f"{sku},{front},{date},{units}")
    files["sales.csv"] = sales
    for name, lines in files.items():
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory
