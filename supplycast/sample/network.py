"""Warehouses and lanes of the sample network: two regional and eight front warehouses in Shanghai.

Coordinates are real district locations (WGS84, rounded to 4 decimals, ~10 m); the warehouses
themselves are invented. Distances are great-circle (haversine) distances times a road factor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088
#: Road distance / great-circle distance in a dense city (a common rule of thumb, ~1.3-1.4).
ROAD_FACTOR = 1.35

#: (location, name, kind, parent, latitude, longitude, capacity_units)
SITES: tuple[tuple[str, str, str, str | None, float, float, int], ...] = (
    ("RDC-JIADING", "Jiading Regional DC", "regional", None, 31.3406, 121.2610, 400_000),
    ("RDC-PUDONG", "Pudong Kangqiao Regional DC", "regional", None, 31.1524, 121.5796, 450_000),
    ("FW-JINGAN", "Jing'an Front Warehouse", "front", "RDC-JIADING", 31.2286, 121.4480, 30_000),
    (
        "FW-CHANGNING",
        "Changning Front Warehouse",
        "front",
        "RDC-JIADING",
        31.2204,
        121.4246,
        25_000,
    ),
    ("FW-PUTUO", "Putuo Front Warehouse", "front", "RDC-JIADING", 31.2491, 121.3970, 25_000),
    ("FW-MINHANG", "Minhang Front Warehouse", "front", "RDC-JIADING", 31.1128, 121.3816, 30_000),
    ("FW-XUHUI", "Xuhui Front Warehouse", "front", "RDC-PUDONG", 31.1884, 121.4365, 30_000),
    ("FW-HONGKOU", "Hongkou Front Warehouse", "front", "RDC-PUDONG", 31.2646, 121.5050, 22_000),
    ("FW-YANGPU", "Yangpu Front Warehouse", "front", "RDC-PUDONG", 31.2830, 121.5260, 25_000),
    ("FW-LUJIAZUI", "Lujiazui Front Warehouse", "front", "RDC-PUDONG", 31.2354, 121.5055, 35_000),
)


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (haversine formula, spherical earth of mean radius 6371 km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def build_locations() -> pd.DataFrame:
    """locations.csv. A regional's backup is the other regional; a front's is its nearest front."""
    frame = pd.DataFrame(
        SITES,
        columns=["location", "name", "kind", "parent", "latitude", "longitude", "capacity_units"],
    )
    distance = _distance_matrix(frame)
    backups: list[str] = []
    for i, row in frame.iterrows():
        same_kind = (frame["kind"] == row["kind"]).to_numpy() & (frame.index != i)
        candidates = np.where(same_kind, distance[i], np.inf)
        backups.append(str(frame.loc[int(np.argmin(candidates)), "location"]))
    frame.insert(4, "backup", backups)
    return frame


def build_lanes(locations: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """lanes.csv: regional -> every front, regional <-> regional, front <-> its two nearest fronts.

    Cost per unit (CNY) = handling + per-km rate * road km: trucks from a regional
    0.15 + 0.012/km, vans between fronts 0.30 + 0.025/km. Transit is next day (1) everywhere.
    Daily capacity (units): trucks 30,000-40,000 (regional -> front 6,000-9,000), vans 1,500-2,500.
    """
    distance = _distance_matrix(locations) * ROAD_FACTOR
    kind = locations["kind"].to_numpy()
    names = locations["location"].tolist()
    rows: list[tuple[str, str, int, float, int]] = []

    def add(i: int, j: int, base: float, per_km: float, capacity: int) -> None:
        cost = round(base + per_km * float(distance[i, j]), 3)
        rows.append((names[i], names[j], 1, cost, capacity))

    for i in range(len(names)):
        for j in range(len(names)):
            if i == j:
                continue
            if kind[i] == "regional" and kind[j] == "regional":
                add(i, j, 0.15, 0.012, int(rng.integers(30, 41)) * 1000)
            elif kind[i] == "regional" and kind[j] == "front":
                add(i, j, 0.15, 0.012, int(rng.integers(60, 91)) * 100)
    fronts = np.where(kind == "front")[0]
    pairs: set[tuple[int, int]] = set()
    for i in fronts:
        others = [j for j in fronts if j != i]
        nearest = sorted(others, key=lambda j: distance[i, j])[:2]
        for j in nearest:
            pairs.add((int(i), int(j)))
            pairs.add((int(j), int(i)))
    for i, j in sorted(pairs):
        add(i, j, 0.30, 0.025, int(rng.integers(15, 26)) * 100)
    return pd.DataFrame(
        rows,
        columns=[
            "origin",
            "destination",
            "transit_days",
            "cost_per_unit",
            "capacity_units_per_day",
        ],
    )


def _distance_matrix(locations: pd.DataFrame) -> np.ndarray:
    lat = locations["latitude"].to_numpy(dtype=float)
    lon = locations["longitude"].to_numpy(dtype=float)
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
