"""Configuration, read once at the edge (CLI, server) from the environment.

Every setting can be given as an environment variable `SUPPLYCAST_<NAME>` or in a `.env`
file in the working directory. Cores never read settings; shells pass plain values down.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service settings.

    Attributes:
        database_url: SQLAlchemy URL. Default: a SQLite file `supplycast.db` in the working
            directory. PostgreSQL as `postgresql://user@host:5432/db` (driver psycopg 3).
        plan_cron: crontab expression (minute hour day month weekday) of the daily plan run.
        plan_timezone: IANA time zone the cron expression is read in.
        plan_misfire_grace_seconds: a run missed by at most this many seconds still runs.
        max_upload_bytes: largest request body the API accepts, in bytes.
        plan_forecast_models: forecast candidates of the scheduled and API-triggered plan runs,
            comma-separated; "all" = every candidate of each demand class (slow); unset = the
            daily default (seasonal_naive, croston_optimized, tsb, lightgbm).
        plan_forecast_windows: backtest windows for their model choice (unset = 1).
        database_pool_size: PostgreSQL connections each API process keeps open (it opens up
            to twice as many more under a burst); mind the server's `max_connections`.
    """

    model_config = SettingsConfigDict(env_prefix="SUPPLYCAST_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///supplycast.db"
    plan_cron: str = "30 5 * * *"
    plan_timezone: str = "UTC"
    plan_misfire_grace_seconds: int = 3600
    max_upload_bytes: int = 50 * 1024 * 1024
    plan_forecast_models: str | None = None
    plan_forecast_windows: int | None = Field(default=None, ge=1, le=20)
    database_pool_size: int = Field(default=10, ge=1, le=1000)


def load_settings() -> Settings:
    """Read the settings from the environment (and `.env`) now."""
    return Settings()
