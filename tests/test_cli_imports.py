"""The CLI starts without the heavy packages: each command imports what it needs when it runs.

Checked in fresh interpreters (subprocesses), because this test session has already imported
most of them. No timing: the figures are in docs/replenishment.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

HEAVY = (
    "statsforecast",
    "ortools",
    "fastapi",
    "sqlmodel",
    "scenarios",
    "forecasting",
    "warehouses",
    "scipy.stats",
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=REPO, timeout=120
    )


def _loaded_after(statement: str, names: tuple[str, ...]) -> list[str]:
    probe = f"{statement}; import sys; print(sorted(m for m in {names!r} if m in sys.modules))"
    result = _run("-c", probe)
    assert result.returncode == 0, result.stderr
    return eval(result.stdout.strip())  # noqa: S307 - our own probe prints a list of strings


def test_importing_the_cli_loads_no_heavy_package() -> None:
    assert _loaded_after("import supplycast.cli", HEAVY) == []


def test_importing_the_cli_loads_no_pandas_sqlalchemy_or_rich() -> None:
    assert _loaded_after("import supplycast.cli", ("pandas", "sqlalchemy", "rich", "numpy")) == []


def test_the_replenishment_core_does_not_load_scipy_stats() -> None:
    """`supplycast replenish` imports `replenishment`; Phi^-1 comes from scipy.special."""
    assert _loaded_after("import supplycast.cli, replenishment", HEAVY) == []


def test_help_still_works() -> None:
    for args in ([], ["replenish"], ["demo"], ["what-if"], ["forecast"]):
        result = _run("-m", "supplycast.cli", *args, "--help")
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage" in result.stdout
