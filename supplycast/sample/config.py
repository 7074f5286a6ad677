"""Parameters of the synthetic sample network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from supplycast.sample.catalog import CATEGORIES

#: Last day of sales history in the default sample. Fixed (not "yesterday") so that the same
#: seed gives byte-identical files on any day; pass `end_date` to move the sample in time.
DEFAULT_END_DATE = date(2026, 11, 21)


@dataclass(frozen=True)
class SampleConfig:
    """What to generate.

    Attributes:
        seed: seed of the numpy Generator; the same seed gives identical files.
        n_skus: number of SKUs (at least one per category, i.e. >= 10).
        n_days: days of daily sales history at each front warehouse (730 = two years).
        end_date: last day of sales history and the date of the inventory snapshot (end of
            day); the daily plan runs as of this date and acts on the next day.
        weather_forecast_days: days of weather forecast after `end_date`.
    """

    seed: int = 42
    n_skus: int = 200
    n_days: int = 730
    end_date: date = DEFAULT_END_DATE
    weather_forecast_days: int = 14

    def __post_init__(self) -> None:
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if self.n_skus < len(CATEGORIES):
            raise ValueError(
                f"n_skus must be >= {len(CATEGORIES)} (one per category), got {self.n_skus}"
            )
        if self.n_days < 90:
            raise ValueError(f"n_days must be >= 90, got {self.n_days}")
        if not 1 <= self.weather_forecast_days <= 30:
            raise ValueError(
                f"weather_forecast_days must be within 1..30, got {self.weather_forecast_days}"
            )

    @property
    def start_date(self) -> date:
        """First day of sales history."""
        return self.end_date - timedelta(days=self.n_days - 1)
