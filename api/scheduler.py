"""The daily plan's schedule inside `supplycast serve`: APScheduler 3 `BackgroundScheduler`.

One job, `daily_plan`, fired by a `CronTrigger` built from the settings' crontab expression
(`plan_cron`, minute hour day month weekday) in the settings' IANA time zone
(`plan_timezone`, e.g. `30 5 * * *` in `Asia/Shanghai` = 05:30 Shanghai time every day).
- `misfire_grace_time` = `plan_misfire_grace_seconds`: a run missed (server busy or down at
  the fire time) by at most that long still runs; later than that it is skipped.
- `coalesce=True`: several missed fire times run once, not once each.
- `max_instances=1`: a fire time while the previous run is still going is skipped (and
  across processes the plan-run lock refuses a second run anyway).
The job calls `run_plan(database_url, None)` (as-of = the latest sales date in the database);
a run refused by the lock or failed is logged, never raised into the scheduler thread.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from supplycast.plan_steps.inputs import PlanParameters, parameters_from_settings
from supplycast.settings import Settings

JOB_ID = "daily_plan"
logger = logging.getLogger(__name__)


def plan_trigger(cron: str, timezone: str) -> CronTrigger:
    """The `CronTrigger` of a crontab expression read in the IANA `timezone`.

    Raises ValueError for a malformed expression or an unknown time zone.
    """
    try:
        zone = ZoneInfo(timezone)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError for malformed keys
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    return CronTrigger.from_crontab(cron, timezone=zone)


def run_scheduled_plan(database_url: str, parameters: PlanParameters | None = None) -> None:
    """The job: run the daily plan once; log the outcome instead of raising."""
    from supplycast.daily_plan import PlanRunLockedError, run_plan

    try:
        summary = run_plan(database_url, None, parameters=parameters, triggered_by="scheduler")
    except PlanRunLockedError as exc:
        logger.warning("scheduled plan run skipped: %s", exc)
        return
    except Exception:
        logger.exception("scheduled plan run could not start")
        return
    if summary.status == "published":
        logger.info(
            "scheduled plan run %s published (as of %s, version %s)",
            summary.run_id,
            summary.as_of,
            summary.version,
        )
    else:
        logger.error("scheduled plan run %s failed: %s", summary.run_id, summary.error)


def build_scheduler(
    settings: Settings, parameters: PlanParameters | None = None
) -> BackgroundScheduler:
    """A not-yet-started scheduler with the `daily_plan` job configured from `settings`.

    `parameters` are the plan's knobs (None = from `settings`: the forecast models and windows
    of `SUPPLYCAST_PLAN_FORECAST_MODELS` / `_WINDOWS`, the rest at their defaults).
    """
    if parameters is None:
        parameters = parameters_from_settings(settings)
    trigger = plan_trigger(settings.plan_cron, settings.plan_timezone)
    scheduler = BackgroundScheduler(timezone=trigger.timezone)
    scheduler.add_job(
        run_scheduled_plan,
        trigger=trigger,
        args=(settings.database_url, parameters),
        id=JOB_ID,
        name="daily plan run",
        misfire_grace_time=settings.plan_misfire_grace_seconds,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    return scheduler


def start_scheduler(
    settings: Settings, parameters: PlanParameters | None = None
) -> BackgroundScheduler:
    """Build and start the scheduler (daemon thread); the caller shuts it down on exit."""
    scheduler = build_scheduler(settings, parameters)
    scheduler.start()
    return scheduler
