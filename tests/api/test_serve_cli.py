"""`supplycast serve` as a real process: recovers interrupted runs, answers /healthz, with and
without the scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import free_port
from tests.service.test_recover_runs import make_published_and_dead_runs, state_of_runs


@pytest.mark.slow
def test_serve_starts_uvicorn_and_the_scheduler_and_stops_on_sigint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    published, dead = make_published_and_dead_runs(url)  # migrates too
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "supplycast.cli",
            "serve",
            "--port",
            str(port),
            "--database-url",
            url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "SUPPLYCAST_PLAN_TIMEZONE": "Asia/Shanghai"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(
                        f"serve did not start: {process.stdout.read() if process.stdout else ''}"
                    )
                time.sleep(0.2)
        assert response.json() == {"status": "ok", "database": "reachable"}
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "scheduler: daily plan at '30 5 * * *' (Asia/Shanghai)" in output
    # a run left `running` by a dead process is marked failed at start, not at the next plan
    assert f"marked failed (interrupted earlier): run {dead}" in output
    statuses = {run_id: state[0] for run_id, state in state_of_runs(url).items()}
    assert statuses == {published: "published", dead: "failed"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SUPPLYCAST_DATABASE_POOL_SIZE": "0"},
            "error: bad setting SUPPLYCAST_DATABASE_POOL_SIZE: Input should be greater than or "
            "equal to 1",
        ),
        (
            {"SUPPLYCAST_PLAN_SERVICE_TARGETS": "K:0.9"},
            "error: bad setting SUPPLYCAST_PLAN_SERVICE_TARGETS: bad service target 'K:0.9': "
            "unknown class 'K'",
        ),
        (
            {"SUPPLYCAST_PLAN_FORECAST_MODELS": "bogus"},
            "error: bad plan setting (SUPPLYCAST_PLAN_*): unknown forecast models ['bogus']",
        ),
        (
            {"SUPPLYCAST_PLAN_CRON": "30 5 *"},
            "error: bad setting SUPPLYCAST_PLAN_CRON: bad crontab expression '30 5 *': "
            "Wrong number of fields; got 3, expected 5",
        ),
        (
            {"SUPPLYCAST_PLAN_TIMEZONE": "Mars/Olympus"},
            "error: bad setting SUPPLYCAST_PLAN_TIMEZONE: unknown time zone 'Mars/Olympus'",
        ),
    ],
)
@pytest.mark.parametrize("scheduler", [[], ["--no-scheduler"]], ids=["scheduler", "no-scheduler"])
def test_serve_refuses_a_bad_setting_with_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    message: str,
    scheduler: list[str],
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from supplycast.cli import app

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("uvicorn started despite a bad setting")

    monkeypatch.setattr(uvicorn, "run", never)
    database = tmp_path / "none.db"
    monkeypatch.setenv("SUPPLYCAST_DATABASE_URL", f"sqlite:///{database}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["serve", *scheduler, "--port", "8999"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), lines  # models: + the choices
    assert "Traceback" not in result.output
    assert not database.exists()  # refused before touching the database


def test_keys_list_refuses_a_bad_setting_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from supplycast.cli import app

    monkeypatch.setenv("SUPPLYCAST_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setenv("SUPPLYCAST_PLAN_MISFIRE_GRACE_SECONDS", "soon")
    result = CliRunner().invoke(app, ["keys", "list"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: bad setting SUPPLYCAST_PLAN_MISFIRE_GRACE_SECONDS: Input should be a valid "
        "integer, unable to parse string as an integer"
    ]
