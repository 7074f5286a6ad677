"""Distances between sites and clock-time parsing for route planning."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), km


def haversine_matrix_km(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between every pair of points (degrees in).

    Haversine formula (Sinnott 1984, "Virtues of the Haversine"):
    d = 2 R asin(sqrt(sin^2(dphi/2) + cos(phi1) cos(phi2) sin^2(dlambda/2))).
    """
    phi = np.radians(np.asarray(latitudes, dtype=float))
    lam = np.radians(np.asarray(longitudes, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def euclidean_matrix(coords: np.ndarray) -> np.ndarray:
    """Plain Euclidean distances between the rows of an (n, 2) coordinate array."""
    xy = np.asarray(coords, dtype=float)
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def parse_clock_minutes(value: object) -> float:
    """Minutes after midnight from "HH:MM" or "HH:MM:SS" (hours may exceed 23 for the next
    day), a `datetime.time`, or a number of minutes. Raises ValueError on anything else."""
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, (float, np.floating)) and math.isnan(value):
            raise ValueError("missing time")
        if value < 0:
            raise ValueError(f"negative time {value!r}")
        return float(value)
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute + value.second / 60
    text = str(value).strip()
    if ":" in text:
        parts = text.split(":")
        if (
            len(parts) in (2, 3)
            and all(p.isdigit() for p in parts)
            and all(len(p) == 2 and int(p) < 60 for p in parts[1:])
        ):
            seconds = int(parts[2]) if len(parts) == 3 else 0
            return int(parts[0]) * 60 + int(parts[1]) + seconds / 60
        raise ValueError(f"not a HH:MM time: {text!r}")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"not a time (HH:MM or minutes): {text!r}") from None
    if math.isnan(number) or number < 0:
        raise ValueError(f"not a time (HH:MM or minutes): {text!r}")
    return number


def format_clock(minutes: float) -> str:
    """ "HH:MM" for minutes after midnight, rounded to the nearest minute (hours may exceed
    23 when a route runs past midnight)."""
    total = int(round(minutes))
    return f"{total // 60:02d}:{total % 60:02d}"
