"""Configuration, read once at the edge (CLI, server) from the environment.

Every setting can be given as an environment variable `SUPPLYCAST_<NAME>` or in a `.env`
file in the working directory. Cores never read settings; shells pass plain values down.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplycast.plan_steps.service_targets import check_service_options, parse_service_targets


class Settings(BaseSettings):
    """Service settings.

    Attributes:
        database_url: SQLAlchemy URL. Default: a SQLite file `supplycast.db` in the working
            directory. PostgreSQL as `postgresql://user@host:5432/db` (driver psycopg 3).
        plan_cron: crontab expression (minute hour day month weekday) of the daily plan run;
            checked when the settings are read (APScheduler's `CronTrigger.from_crontab`).
        plan_timezone: IANA time zone the cron expression is read in, e.g. `Europe/Paris`;
            matched case-insensitively against `zoneinfo.available_timezones()` and kept in
            its IANA spelling (`europe/paris` -> `Europe/Paris`); checked when the settings
            are read (`zoneinfo.ZoneInfo`).
        plan_misfire_grace_seconds: a run missed by at most this many seconds still runs.
        max_upload_bytes: largest request body the API accepts, in bytes.
        plan_forecast_models: forecast candidates of the scheduled and API-triggered plan runs,
            comma-separated; "all" = every candidate of each demand class, the per-series
            AutoETS/MSTL fits for the best-selling series within the core's fit budget
            (`ForecastConfig.local_fit_budget`, 150 estimated core-seconds); unset = the
            daily default (seasonal_naive, croston_optimized, tsb, lightgbm).
        plan_forecast_windows: backtest windows for their model choice (unset = 1).
        plan_forecast_shrinkage: selection shrinkage of that choice, a fraction in [0, 1]
            (`ForecastConfig.selection_shrinkage`: 0 = each series on its own backtest,
            1 = one choice per candidate group); unset = the core's default (0.5).
        plan_service_targets: fill rate per ABC/XYZ class of those runs, e.g.
            `A:0.98,B:0.95,C:0.90` (keys A/B/C, X/Y/Z or pairs such as AX; fractions in
            (0, 1)); unset = one service level (0.95) for every policy.
        plan_service_targeting: `group` (default: a class's target is the aggregate fill
            rate of its demand units) or `item` (every series of the class at the target).
        plan_min_fill_rate: floor on each series' implied fill rate inside a class group
            (group targeting only; at most the lowest target); unset = the core's default.
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
    plan_forecast_shrinkage: float | None = Field(default=None, ge=0.0, le=1.0)
    plan_service_targets: str | None = None
    plan_service_targeting: Literal["group", "item"] = "group"
    plan_min_fill_rate: float | None = Field(default=None, gt=0, lt=1)
    database_pool_size: int = Field(default=10, ge=1, le=1000)

    @field_validator("plan_cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        try:  # the zone does not change which expressions are valid
            CronTrigger.from_crontab(value, timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(f"bad crontab expression {value!r}: {exc}") from exc
        return value

    @field_validator("plan_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        names = available_timezones()
        if value not in names:  # `utc`, `europe/paris`: the IANA spelling of the same name
            by_folded = {name.casefold(): name for name in names}
            value = by_folded.get(value.casefold(), value)
        try:
            ZoneInfo(value)
        except (KeyError, ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {value!r} (an IANA name, e.g. UTC)") from exc
        return value

    @field_validator("plan_service_targets")
    @classmethod
    def _parse_targets(cls, value: str | None) -> str | None:
        parse_service_targets(value)  # ValueError naming the bad token
        return value

    @model_validator(mode="after")
    def _targets_fit_together(self) -> Settings:
        check_service_options(
            parse_service_targets(self.plan_service_targets),
            self.plan_service_targeting,
            self.plan_min_fill_rate,
        )
        return self


def load_settings() -> Settings:
    """Read the settings from the environment (and `.env`) now."""
    return Settings()
