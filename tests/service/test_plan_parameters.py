"""The daily plan's forecast knobs from CLI options and settings, and where they reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.app import create_app
from api.scheduler import build_scheduler
from supplycast.daily_plan import parameters_from_settings, plan_parameters
from supplycast.plan_steps.inputs import DAILY_FORECAST_MODELS, PlanParameters
from supplycast.settings import Settings


def test_default_is_the_measured_daily_set_with_one_window() -> None:
    assert DAILY_FORECAST_MODELS == ("seasonal_naive", "croston_optimized", "tsb", "lightgbm")
    for parameters in (PlanParameters(), plan_parameters(None, None), plan_parameters(" ", None)):
        assert (parameters.forecast_models, parameters.forecast_windows) == (
            DAILY_FORECAST_MODELS,
            1,
        )


def test_all_means_the_forecasters_own_candidates_and_windows() -> None:
    parameters = plan_parameters("ALL", None)
    assert (parameters.forecast_models, parameters.forecast_windows) == (None, None)
    assert plan_parameters("all", 2).forecast_windows == 2


def test_a_list_and_windows_and_other_knobs_pass_through() -> None:
    parameters = plan_parameters(" seasonal_naive, auto_ets ,", 3, horizon_days=14)
    assert parameters.forecast_models == ("seasonal_naive", "auto_ets")
    assert (parameters.forecast_windows, parameters.horizon_days) == (3, 14)


def test_unknown_model_is_refused_before_any_run() -> None:
    with pytest.raises(ValueError, match=r"unknown forecast models \['autoets'\]; choose from"):
        plan_parameters("seasonal_naive,autoets", None)


def test_settings_reach_the_scheduler_and_the_api_trigger(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCAST_PLAN_FORECAST_MODELS", "tsb,lightgbm")
    monkeypatch.setenv("SUPPLYCAST_PLAN_FORECAST_WINDOWS", "2")
    settings = Settings(database_url="sqlite://")
    expected = parameters_from_settings(settings)
    assert (expected.forecast_models, expected.forecast_windows) == (("tsb", "lightgbm"), 2)

    job = build_scheduler(settings).get_job("daily_plan")
    assert job is not None and job.args == (settings.database_url, expected)

    launcher = create_app(settings).state.plan_launcher
    runner = launcher._resolve_runner()  # the default runner: run_plan with these knobs
    assert runner.keywords == {"parameters": expected}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--forecast-models", "seasonal_naive,autoets"],
            "error: unknown forecast models ['autoets']; choose from",
        ),
        (
            ["--forecast-shrinkage", "1.5"],
            "error: forecast_selection_shrinkage must be a fraction in [0, 1]",
        ),
    ],
)
def test_plan_cli_refuses_bad_forecast_options_with_exit_2(
    tmp_path: Path, options: list[str], message: str
) -> None:
    from typer.testing import CliRunner

    from supplycast.cli import app

    result = CliRunner().invoke(
        app,
        ["plan", *options],
        env={"SUPPLYCAST_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"},
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "none.db").exists()  # refused before touching the database


def test_selection_shrinkage_from_settings_reaches_the_forecast_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    import pandas as pd

    from forecasting import ForecastConfig
    from supplycast.plan_steps.forecast_step import run_forecast

    monkeypatch.setenv("SUPPLYCAST_PLAN_FORECAST_SHRINKAGE", "0.8")
    parameters = parameters_from_settings(Settings(database_url="sqlite://"))
    assert parameters.forecast_selection_shrinkage == 0.8

    calls: list[dict[str, object]] = []

    def recording_forecast(history: pd.DataFrame, horizon: int, **kwargs: object) -> str:
        calls.append({"horizon": horizon, **kwargs})
        return "result"

    inputs = SimpleNamespace(items=pd.DataFrame({"sku": ["A"], "category": ["c"]}))
    history = pd.DataFrame({"sku": ["A"], "location": ["L"], "date": ["2026-01-01"], "units": [1]})
    for knobs, expected in (
        (parameters, ForecastConfig(selection_shrinkage=0.8)),
        (PlanParameters(), None),  # unset: the core's own default config
    ):
        assert run_forecast(recording_forecast, inputs, knobs, history, None) == "result"
        assert calls[-1].get("config") == expected
        assert calls[-1]["models"] == DAILY_FORECAST_MODELS and calls[-1]["n_windows"] == 1


def test_selection_shrinkage_outside_0_1_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("SUPPLYCAST_PLAN_FORECAST_SHRINKAGE", "1.5")
    with pytest.raises(ValidationError, match="plan_forecast_shrinkage"):
        Settings(database_url="sqlite://")
    with pytest.raises(ValueError, match=r"forecast_selection_shrinkage must be a fraction"):
        PlanParameters(forecast_selection_shrinkage=-0.1)


def test_plan_cli_passes_the_shrinkage_to_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import supplycast.daily_plan
    from supplycast.cli import app

    seen: list[PlanParameters] = []

    class Stop(Exception):
        pass

    def recording_run_plan(*args: object, parameters: PlanParameters, **kwargs: object) -> None:
        seen.append(parameters)
        raise Stop

    monkeypatch.setattr(supplycast.daily_plan, "run_plan", recording_run_plan)
    result = CliRunner().invoke(
        app,
        ["plan", "--forecast-shrinkage", "0.25", "--forecast-windows", "2"],
        env={"SUPPLYCAST_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"},
    )
    assert isinstance(result.exception, Stop)
    assert [(p.forecast_selection_shrinkage, p.forecast_windows) for p in seen] == [(0.25, 2)]
