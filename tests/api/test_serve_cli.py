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
