"""A separate process holding a database's plan-run lock, for tests of what is refused then."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HOLD_LOCK = """
import sys
from storage.db import make_engine
from supplycast.plan_steps.run_lock import plan_run_lock
engine = make_engine(sys.argv[1])
with plan_run_lock(engine):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def subprocess_env(url: str) -> dict[str, str]:
    """The environment of a `supplycast` subprocess on the database at `url`."""
    return {**os.environ, "SUPPLYCAST_DATABASE_URL": url, "PYTHONPATH": str(REPO_ROOT)}


@contextlib.contextmanager
def plan_lock_held_elsewhere(url: str) -> Iterator[None]:
    """Another process holds the plan-run lock of `url` until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(url),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
