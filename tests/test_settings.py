"""`Settings`: the plan schedule (cron expression, time zone) is checked when read."""

import pytest
from pydantic import ValidationError

from supplycast.commands.plan import settings_problem
from supplycast.settings import Settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SUPPLYCAST_PLAN_CRON": "30 5 *"},
            "bad setting SUPPLYCAST_PLAN_CRON: bad crontab expression '30 5 *': "
            "Wrong number of fields; got 3, expected 5",
        ),
        (
            {"SUPPLYCAST_PLAN_CRON": "61 5 * * *"},  # minute 61
            "bad setting SUPPLYCAST_PLAN_CRON: bad crontab expression '61 5 * * *': ",
        ),
        (
            {"SUPPLYCAST_PLAN_TIMEZONE": "Mars/Olympus"},
            "bad setting SUPPLYCAST_PLAN_TIMEZONE: unknown time zone 'Mars/Olympus'",
        ),
        (
            {"SUPPLYCAST_PLAN_TIMEZONE": "../etc/passwd"},  # zoneinfo: ValueError, not KeyError
            "bad setting SUPPLYCAST_PLAN_TIMEZONE: unknown time zone '../etc/passwd'",
        ),
    ],
)
def test_bad_schedule_setting_is_a_validation_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)  # type: ignore[call-arg]
    problem = settings_problem(info.value)
    assert problem.startswith(message), problem
    assert "\n" not in problem


def test_good_schedule_settings_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCAST_PLAN_CRON", "0 6 * * mon-fri")
    monkeypatch.setenv("SUPPLYCAST_PLAN_TIMEZONE", "Asia/Shanghai")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.plan_cron, settings.plan_timezone) == ("0 6 * * mon-fri", "Asia/Shanghai")


def test_default_schedule_passes_its_own_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPPLYCAST_PLAN_CRON", raising=False)
    monkeypatch.delenv("SUPPLYCAST_PLAN_TIMEZONE", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.plan_cron, settings.plan_timezone) == ("30 5 * * *", "UTC")


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("utc", "UTC"), ("europe/paris", "Europe/Paris"), ("ASIA/SHANGHAI", "Asia/Shanghai")],
)
def test_time_zone_is_matched_case_insensitively_to_its_iana_name(
    monkeypatch: pytest.MonkeyPatch, typed: str, canonical: str
) -> None:
    monkeypatch.setenv("SUPPLYCAST_PLAN_TIMEZONE", typed)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.plan_timezone == canonical


def test_time_zone_matching_no_iana_name_in_any_case_is_still_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPLYCAST_PLAN_TIMEZONE", "europe/pariss")
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)  # type: ignore[call-arg]
    problem = settings_problem(info.value)
    assert problem.startswith(
        "bad setting SUPPLYCAST_PLAN_TIMEZONE: unknown time zone 'europe/pariss' "
        "(an IANA name, e.g. UTC)"
    ), problem
    assert "\n" not in problem
