"""Synthetic daily weather for the sample network's sites (Shanghai climate, roughly).

Temperature: a yearly cosine (mean 17 C, amplitude 11.5 C, warmest around 24 July, as in
Shanghai's 1991-2020 normals: ~5 C in January, ~29 C in July/August) plus a metro-wide AR(1)
anomaly (phi 0.8, stationary sd ~3 C) and small per-site noise; the urban core runs ~0.6 C
warmer than the suburbs (heat island). Precipitation: a metro-wide wet day with a monthly
probability (highest in the June "plum rain" season), amounts Gamma(0.7, 12 mm) per site.
The first `n_days` rows per site are `observed`, the rest `forecast`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

#: Probability of a wet day by month (January first), roughly Shanghai's wet-day frequency.
WET_DAY_PROBABILITY = np.array(
    [0.30, 0.33, 0.37, 0.35, 0.35, 0.50, 0.40, 0.40, 0.33, 0.25, 0.27, 0.25]
)
#: Sites in the urban core (heat island +0.6 C); the rest -0.3 C.
URBAN_CORE = {"FW-JINGAN", "FW-CHANGNING", "FW-HONGKOU", "FW-LUJIAZUI", "FW-XUHUI"}


@dataclass(frozen=True)
class WeatherSample:
    """Weather as written to weather.csv, plus the matrices the demand model reads.

    Attributes:
        frame: weather.csv rows (location, date, temperature_c, precipitation_mm, kind).
        locations: row order of the matrices.
        temperature_c: (locations, days) temperature in degrees C, history then forecast.
        precipitation_mm: (locations, days) precipitation in mm per day.
    """

    frame: pd.DataFrame
    locations: tuple[str, ...]
    temperature_c: np.ndarray
    precipitation_mm: np.ndarray


def build_weather(
    rng: np.random.Generator, locations: list[str], start: date, n_days: int, n_forecast: int
) -> WeatherSample:
    """Weather for `n_days` observed days from `start` and `n_forecast` forecast days after."""
    days = pd.date_range(start, periods=n_days + n_forecast, freq="D")
    total = len(days)
    day_of_year = days.dayofyear.to_numpy()
    seasonal = 17.0 + 11.5 * np.cos(2 * np.pi * (day_of_year - 205) / 365.25)
    # imported here: scipy.signal costs ~1 s to import, and every CLI command imports the
    # demo command's module (and so this one) at start-up
    from scipy.signal import lfilter

    anomaly = lfilter([1.0], [1.0, -0.8], rng.normal(0.0, 1.8, total))
    offsets = np.array([0.6 if loc in URBAN_CORE else -0.3 for loc in locations])
    temperature = (
        seasonal[None, :]
        + anomaly[None, :]
        + offsets[:, None]
        + rng.normal(0.0, 0.4, (len(locations), total))
    ).round(1)
    wet = rng.random(total) < WET_DAY_PROBABILITY[days.month.to_numpy() - 1]
    precipitation = (rng.gamma(0.7, 12.0, (len(locations), total)) * wet[None, :]).round(1)
    kind = np.where(np.arange(total) < n_days, "observed", "forecast")
    frame = pd.DataFrame(
        {
            "location": np.repeat(locations, total),
            "date": np.tile(days.strftime("%Y-%m-%d").to_numpy(), len(locations)),
            "temperature_c": temperature.ravel(),
            "precipitation_mm": precipitation.ravel(),
            "kind": np.tile(kind, len(locations)),
        }
    )
    return WeatherSample(frame, tuple(locations), temperature, precipitation)
