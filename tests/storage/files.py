"""Small hand-made input files used by the storage tests (one valid network)."""

from __future__ import annotations

from pathlib import Path

VALID_FILES: dict[str, str] = {
    "items": (
        "sku,name,category,unit_cost,unit_price,pack_size,moq,shelf_life_days\n"
        "A,Apple juice,beverages,1.2,2.5,6,12,30\n"
        'B,"Bolts, M6",hardware,0.1,0.3,100,0,\n'
    ),
    # F1 names R1 as parent before R1's own line: references may point forward in a batch.
    "locations": (
        "location,name,kind,parent,backup,latitude,longitude,capacity_units\n"
        "F1,Front one,front,R1,F2,52.52,13.40,1000\n"
        "F2,Front two,front,R1,F1,52.50,13.45,\n"
        "R1,Regional one,regional,,,52.40,13.10,50000\n"
    ),
    "lanes": (
        "origin,destination,transit_days,cost_per_unit,capacity_units_per_day\n"
        "R1,F1,1,0.05,500\n"
        "R1,F2,2,0.06,\n"
    ),
    "suppliers": "supplier,name\nS1,Supplier one\n",
    "supply": (
        "supplier,sku,location,lead_time_days,lead_time_std_days,order_days\n"
        'S1,A,R1,7,1.5,"Thu, Mon"\n'
        "S1,B,R1,14,,\n"
    ),
    "sales": (
        "sku,location,date,units\nA,F1,2026-01-01,5\nA,F1,2026-01-02,-1\nB,F2,2026-01-01,0.5\n"
    ),
    "weather": (
        "location,date,temperature_c,precipitation_mm,kind\n"
        "F1,2026-01-01,-3.5,0,observed\n"
        "F1,2026-01-02,,,forecast\n"
    ),
    "promotions": (
        "sku,location,start_date,end_date,discount_pct\n"
        "A,,2026-02-01,2026-02-07,20\n"
        "A,F1,2026-02-01,2026-02-03,25\n"
    ),
    "inventory": "sku,location,on_hand,as_of\nA,F1,40,2026-01-02\nB,R1,1000,2026-01-02\n",
    "purchase_orders": (
        "order_id,sku,location,units,expected_date\n"
        "PO-1,A,R1,120,2026-01-09\n"
        ",B,R1,500,2026-01-16\n"
    ),
}

# The base every single-file case is imported on top of: items, locations, suppliers.
BASE_KINDS = ("items", "locations", "suppliers")


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """Write `files` (kind -> text) as `<kind>.csv` into `folder`; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind, text in files.items():
        (folder / f"{kind}.csv").write_text(text, encoding="utf-8")
    return folder
