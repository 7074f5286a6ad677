"""The scheduler's trigger and job configuration (APScheduler 3)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo

import pytest

from api.scheduler import (
    JOB_ID,
    build_scheduler,
    plan_trigger,
    run_scheduled_plan,
    start_scheduler,
)
from supplycast.plan_steps.inputs import PlanParameters
from supplycast.plan_steps.run_lock import plan_run_lock
from supplycast.settings import Settings

UTC = dt.UTC


@pytest.mark.parametrize(
    ("now_utc", "expected_utc"),
    [
        # 08:00 in Shanghai (UTC+8, no DST): today's 05:30 has passed -> tomorrow 05:30 = 21:30 UTC.
        (dt.datetime(2026, 1, 10, 0, 0, tzinfo=UTC), dt.datetime(2026, 1, 10, 21, 30, tzinfo=UTC)),
        # 05:00 in Shanghai: fires in 30 minutes, 2026-01-10 05:30 +08 = 2026-01-09 21:30 UTC.
        (dt.datetime(2026, 1, 9, 21, 0, tzinfo=UTC), dt.datetime(2026, 1, 9, 21, 30, tzinfo=UTC)),
    ],
)
def test_next_fire_time_0530_shanghai(now_utc: dt.datetime, expected_utc: dt.datetime) -> None:
    trigger = plan_trigger("30 5 * * *", "Asia/Shanghai")
    fire = trigger.get_next_fire_time(None, now_utc)
    assert fire == expected_utc
    assert fire.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") == "05:30"


def test_weekday_cron_in_a_dst_zone() -> None:
    # Mon-Fri 06:00 Berlin; Sat 2026-03-28 12:00 UTC -> Mon 03-30 06:00 CEST (UTC+2) = 04:00 UTC.
    trigger = plan_trigger("0 6 * * mon-fri", "Europe/Berlin")
    fire = trigger.get_next_fire_time(None, dt.datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert fire == dt.datetime(2026, 3, 30, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(("cron", "zone"), [("30 5 * *", "UTC"), ("30 5 * * *", "Mars/Olympus")])
def test_bad_cron_or_zone_is_a_value_error(cron: str, zone: str) -> None:
    with pytest.raises(ValueError):
        plan_trigger(cron, zone)


def test_job_options_from_settings() -> None:
    settings = Settings(
        database_url="sqlite:///unused.db",
        plan_cron="30 5 * * *",
        plan_timezone="Asia/Shanghai",
        plan_misfire_grace_seconds=900,
    )
    scheduler = build_scheduler(settings)
    job = scheduler.get_job(JOB_ID)
    assert job.misfire_grace_time == 900
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.args == ("sqlite:///unused.db", PlanParameters())  # daily forecast defaults
    assert str(job.trigger.timezone) == "Asia/Shanghai"


def test_started_scheduler_has_the_next_run_scheduled() -> None:
    settings = Settings(database_url="sqlite:///unused.db", plan_timezone="Asia/Shanghai")
    before = dt.datetime.now(UTC)
    scheduler = start_scheduler(settings)
    try:
        assert scheduler.running
        next_run = scheduler.get_job(JOB_ID).next_run_time
        shanghai = next_run.astimezone(ZoneInfo("Asia/Shanghai"))
        assert (shanghai.hour, shanghai.minute) == (5, 30)
        assert dt.timedelta(0) < next_run - before <= dt.timedelta(days=1)
    finally:
        scheduler.shutdown(wait=False)
    time.sleep(0.05)
    assert not scheduler.running


def test_scheduled_job_publishes_and_logs(plan_db: str, caplog: pytest.LogCaptureFixture) -> None:
    from sqlmodel import Session

    from storage.db import make_engine
    from storage.plans import latest_published_run
    from tests.service.conftest import FAST
    from tests.service.network import LAST_DAY

    caplog.set_level(logging.INFO, logger="api.scheduler")
    run_scheduled_plan(plan_db, FAST)
    engine = make_engine(plan_db)
    try:
        with Session(engine) as session:
            run = latest_published_run(session)
            assert (run.as_of, run.triggered_by) == (LAST_DAY, "scheduler")
        # A fire while another run holds the lock is logged and skipped, never raised.
        with plan_run_lock(engine):
            run_scheduled_plan(plan_db, FAST)
    finally:
        engine.dispose()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"scheduled plan run {run.id} published") for m in messages)
    assert any("skipped: another plan run is in progress" in m for m in messages)
